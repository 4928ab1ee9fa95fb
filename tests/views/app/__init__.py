"""Tests of the workshop app: its pure parts, and the pages in a real browser."""
