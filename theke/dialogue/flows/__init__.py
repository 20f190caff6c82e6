"""Flows: guided conversations written in ``flows/*.yml``, compiled and checked."""

from theke.dialogue.flows.loader import TEMPLATE_GLOBALS, BotNames, FlowSet, load_flows
from theke.dialogue.flows.program import Ask, Flow, SlotSpec

__all__ = ["TEMPLATE_GLOBALS", "Ask", "BotNames", "Flow", "FlowSet", "SlotSpec", "load_flows"]
