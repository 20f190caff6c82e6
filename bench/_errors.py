"""The one error the benchmark raises on purpose."""

from __future__ import annotations

from theke.errors import ThekeError

__all__ = ["BenchError"]


class BenchError(ThekeError):
    """The benchmark could not run: the server did not start, answer or accept the load."""
