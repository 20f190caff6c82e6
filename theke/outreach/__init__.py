"""Consent, the messaging policy and (later) campaigns."""

from theke.outreach.policy import Allow, Decision, Hold, OutboundMessage, PolicyContext, decide

__all__ = ["Allow", "Decision", "Hold", "OutboundMessage", "PolicyContext", "decide"]
