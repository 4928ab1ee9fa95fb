"""Tests of mobilise.model, one module per module."""
