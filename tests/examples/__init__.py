"""Tests of the demo shop's content in ``examples/``."""
