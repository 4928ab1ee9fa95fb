"""The workshop app: one browser page per group, a facilitator page, a room behind codes.

Solara serves :mod:`mobilise.views.app.pages`; everything the pages show is computed by
the library (:mod:`mobilise.views.workshop`, :mod:`mobilise.views.headline`). Importing
this package does nothing: the command line reads its configuration without Solara.
"""
