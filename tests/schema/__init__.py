"""Tests of mobilise.schema, one module per module."""
