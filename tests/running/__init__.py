"""Tests of mobilise.running, one module per module."""
