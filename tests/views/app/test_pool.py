"""The room's worker pool: one first-come queue, one waiting job per owner, places in words."""

import math
import time

import pytest

from mobilise.views.app.pool import Place, WorkPool


@pytest.fixture(scope="module")
def pool():
    work = WorkPool(1)
    yield work
    work.close()


def test_the_pool_queues_first_come_and_tells_each_job_its_place(pool):
    running = pool.submit("a", time.sleep, 1.0)
    second = pool.submit("b", sum, [1, 2])
    third = pool.submit("c", sum, [3])
    assert pool.place(running) == Place(-1, 1)
    assert pool.place(second) == Place(0, 1) and pool.place(third) == Place(1, 1)
    assert "1 comparison before yours, 1 running" in pool.place(third).sentence()
    newer = pool.submit("b", sum, [5, 5])  # the same owner moved on: takes the old place
    assert second.superseded and second.wait(0) and second.result() is None
    assert pool.place(newer) == Place(0, 1) and pool.place(third) == Place(1, 1)
    assert newer.wait(30) and third.wait(30)
    assert newer.result() == 10 and third.result() == 3


def test_a_superseded_running_job_gives_no_result(pool):
    slow = pool.submit("a", time.sleep, 0.5)
    assert pool.place(slow).ahead == -1
    replacement = pool.submit("a", math.factorial, 5)
    assert slow.superseded and slow.wait(0) and slow.result() is None
    assert replacement.wait(30) and replacement.result() == 120


def test_a_failing_job_raises_its_error_for_its_owner_only(pool):
    bad = pool.submit("x", math.factorial, -1)
    good = pool.submit("y", math.factorial, 3)
    assert bad.wait(30) and good.wait(30)
    with pytest.raises(ValueError):
        bad.result()
    assert good.result() == 6


def test_later_jobs_wait_behind_every_other_job(pool):
    running = pool.submit("a", time.sleep, 0.5)
    figures = pool.submit("a/figures", sum, [1], later=True)
    headline = pool.submit("b", sum, [2])
    assert pool.place(running).ahead == -1
    assert pool.place(headline) == Place(0, 1) and pool.place(figures) == Place(1, 1)
    assert figures.wait(30) and headline.wait(30)
    assert (headline.result(), figures.result()) == (2, 1)
