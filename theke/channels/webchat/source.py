"""Where a web chat visitor came from: the page's ``utm_*`` and ``ref`` parameters.

The widget sends them once, with the visitor's first message; they are parsed
here into the same ``referral`` shape Messenger's m.me links and ads have
(``source: "WEB"``), so attribution and ``referral:`` flow triggers work alike.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SOURCE_KEYS", "web_referral"]

SOURCE_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ref", "page")
_MAX = 200


def web_referral(source: Mapping[str, object] | None) -> dict[str, str]:
    """The known keys of ``source`` with text values (cut to 200 characters); {} for none."""
    if not source:
        return {}
    found = {
        key: " ".join(str(value).split())[:_MAX]
        for key, value in source.items()
        if key in SOURCE_KEYS and isinstance(value, str) and value.strip()
    }
    return {"source": "WEB", **found} if found else {}
