"""Theke: self-hosted customer conversations for shops in messengers."""

__all__ = ["__version__"]

__version__ = "0.1.0"
