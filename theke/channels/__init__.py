"""Channels: one module per messenger; parsing in, rendering and sending out."""

from theke.channels.base import InboundEvent, InboundKind, LocalSender, Sender

__all__ = ["InboundEvent", "InboundKind", "LocalSender", "Sender"]
