"""Tests of mobilise.views, one module per module."""
