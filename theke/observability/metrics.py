"""Prometheus metrics an operator watches: traffic, latency, queues, send failures."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """One registry per runtime, so several apps (and tests) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "theke_messages_in",
            "Customer events accepted, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "theke_inbound_duplicates",
            "Inbound events dropped as duplicates, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "theke_messages_out",
            "Messages delivered to a channel, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self.held = Counter(
            "theke_messages_held",
            "Messages the policy held back, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.send_failures = Counter(
            "theke_send_failures",
            "Failed send attempts, by channel and error code.",
            ["channel", "code"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "theke_turn_seconds",
            "Time from an event's arrival to its turn being committed.",
            registry=self.registry,
            buckets=_LATENCY_BUCKETS,
        )
        self.channel_stopped = Gauge(
            "theke_channel_stopped",
            "1 while a channel is stopped because the platform refused its access token.",
            ["channel"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "theke_queue_depth",
            "Work waiting, by queue (read from the database at scrape time).",
            ["queue"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
