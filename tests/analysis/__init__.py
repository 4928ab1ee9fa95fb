"""Tests of mobilise.analysis, one module per module."""
