"""Tests mirror the modules of src/mobilise."""
