"""Short codes: unambiguous, compared whatever their case."""

from mobilise.views.app.codes import COOKIE, holds, new_code, same_code, wait_sentence


def test_new_codes_are_short_and_unambiguous():
    codes = {new_code() for _ in range(50)}
    assert len(codes) > 45
    assert all(len(c) == 6 and not set(c) & set("01ilo") for c in codes)


def test_codes_compare_whatever_their_case_and_spaces():
    assert same_code(" K7m2PQ ", "k7m2pq") and same_code("straße", "STRASSE")
    assert not same_code("k7m2pr", "k7m2pq") and not same_code("", "k7m2pq")


def test_the_wait_is_said_in_whole_seconds():
    assert wait_sentence(0.2) == "Too many wrong codes: wait 1 second, then try again."
    assert "wait 4 seconds" in wait_sentence(3.1, "rejoin codes")


def test_a_page_knows_its_facilitator_by_the_cookie_alone():
    assert holds({COOKIE: "t0ken", "other": "x"}, "t0ken")
    assert not holds({COOKIE: "t0kem"}, "t0ken") and not holds(None, "t0ken")
    assert not holds({COOKIE: ""}, "")  # no token (the app without `mobilise app`): no one
