"""Tests of mobilise.cli, one module per module."""
