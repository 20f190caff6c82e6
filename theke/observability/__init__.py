"""Logs and metrics."""

from theke.observability.logging import configure_logging
from theke.observability.metrics import Metrics

__all__ = ["Metrics", "configure_logging"]
