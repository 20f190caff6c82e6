"""Whom a Page or a WhatsApp number may message, and when, as Meta enforces it.

Used by :mod:`theke.testing.graph_api`, which keeps an :class:`Audience` (what the fake knows
about the people on the other side) and asks these functions before it accepts a send.

Messenger (https://developers.facebook.com/docs/messenger-platform/policy/policy-overview,
.../send-messages/message-tags, .../discovery/private-replies, .../error-codes):

- ``RESPONSE`` and ``UPDATE`` only within 24 hours of the person's last message, the
  ``HUMAN_AGENT`` tag within 7 days, other tags at any time; otherwise ``(#10)`` subcode
  2018278 "This message is sent outside of allowed window";
- a PSID that never wrote to the Page: ``(#100)`` subcode 2018001 "No matching user found";
- a person who blocked the Page: ``(#551)`` subcode 1545041 "This person isn't available";
- a private reply (``recipient.comment_id``) once per comment (``(#10900)`` "Activity already
  replied to") and within 7 days of it (``(#10903)``), never to a removed comment;
- a public reply (``POST /{comment-id}/comments``,
  https://developers.facebook.com/docs/graph-api/reference/object/comments) needs a
  ``message``; a removed comment is, like an unknown id, ``(#100)`` subcode 33
  "Unsupported post request";
- a ``notification_messages_token`` must exist and not be expired (``(#100)``
  "notification_messages_token is invalid" / "... has expired").

WhatsApp (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes,
.../conversation-types): free-form messages (anything but a template) only within 24 hours
of the user's last message, else 131047 "Re-engagement message"; a template must exist in
the language (132001) with as many body parameters as it has placeholders (132000); a number
that cannot receive gets 131026 "Message Undeliverable". The real Cloud API reports 131047
and 131026 mostly later, in a ``failed`` status webhook; the fake answers them at once so a
test sees the refusal where the send happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from theke.testing._graph_rules import GraphError, bad_param, error_for, no_such_object, one_of
from theke.testing._messenger_rules import MESSAGING_TYPES, TAGS
from theke.testing._whatsapp_rules import body_params

__all__ = [
    "Audience",
    "Comment",
    "OptinToken",
    "messenger_recipient",
    "public_reply",
    "whatsapp_allowed",
]

HOUR = 3600.0
DAY = 24 * HOUR
MESSENGER_WINDOW = DAY
HUMAN_AGENT_WINDOW = 7 * DAY
PRIVATE_REPLY_WINDOW = 7 * DAY
WHATSAPP_WINDOW = DAY


@dataclass
class Comment:
    """A comment on the Page's post: whom it came from, when, whether it was replied to
    privately, and whether its author removed it."""

    psid: str
    at: float
    replied: bool = False
    removed: bool = False


@dataclass(frozen=True)
class OptinToken:
    """A ``notification_messages_token`` the person granted, valid until ``expires_at``."""

    psid: str
    expires_at: float


@dataclass
class Audience:
    """What the fake knows about the people on the other side of both APIs."""

    messenger_wrote: dict[str, float] = field(default_factory=dict)
    messenger_blocked: set[str] = field(default_factory=set)
    comments: dict[str, Comment] = field(default_factory=dict)
    optin_tokens: dict[str, OptinToken] = field(default_factory=dict)
    whatsapp_wrote: dict[str, float] = field(default_factory=dict)
    whatsapp_inbound: dict[str, str] = field(default_factory=dict)  # wamid -> wa_id
    whatsapp_undeliverable: set[str] = field(default_factory=set)
    templates: dict[tuple[str, str], int] = field(default_factory=dict)


def _window() -> GraphError:
    return error_for("messenger", 10, subcode=2018278)


def messenger_recipient(audience: Audience, body: dict[str, Any], now: float) -> str:
    """The PSID a Send API call reaches, once Meta's rules allow it."""
    recipient = body.get("recipient")
    if not isinstance(recipient, dict):
        raise bad_param("messenger", "param recipient must be non-empty.")
    if "id" in recipient:
        return _by_psid(audience, str(recipient["id"]), body, now)
    if "comment_id" in recipient:
        return _by_comment(audience, str(recipient["comment_id"]), now)
    if "notification_messages_token" in recipient:
        return _by_token(audience, str(recipient["notification_messages_token"]), now)
    raise bad_param(
        "messenger", "param recipient must contain id, comment_id or notification_messages_token"
    )


def _by_psid(audience: Audience, psid: str, body: dict[str, Any], now: float) -> str:
    kind = body.get("messaging_type", "RESPONSE")
    if not one_of(kind, MESSAGING_TYPES):
        raise bad_param(
            "messenger", f"param messaging_type must be one of {sorted(MESSAGING_TYPES)}"
        )
    tag = body.get("tag")
    if kind == "MESSAGE_TAG" and not one_of(tag, TAGS):
        raise bad_param("messenger", f"param tag must be one of {sorted(TAGS)}")
    last = audience.messenger_wrote.get(psid)
    if last is None:
        raise error_for("messenger", 100, subcode=2018001)
    _check_blocked(audience, psid)
    if kind == "MESSAGE_TAG":
        if tag == "HUMAN_AGENT" and now - last > HUMAN_AGENT_WINDOW:
            raise _window()
    elif now - last > MESSENGER_WINDOW:
        raise _window()
    return psid


def _check_blocked(audience: Audience, psid: str) -> None:
    if psid in audience.messenger_blocked:
        raise error_for("messenger", 551, subcode=1545041)


def _by_comment(audience: Audience, comment_id: str, now: float) -> str:
    comment = audience.comments.get(comment_id)
    if comment is None or comment.removed:
        raise bad_param("messenger", "The comment is invalid for a private reply", subcode=2534025)
    if comment.replied:
        raise GraphError("messenger", 10900, "(#10900) Activity already replied to")
    if now - comment.at > PRIVATE_REPLY_WINDOW:
        raise GraphError("messenger", 10903, "(#10903) This user can't reply to this activity")
    _check_blocked(audience, comment.psid)
    comment.replied = True
    return comment.psid


def public_reply(audience: Audience, comment_id: str, body: dict[str, Any]) -> str:
    """The text of a reply posted under a comment, once Meta would take it."""
    comment = audience.comments.get(comment_id)
    if comment is None or comment.removed:
        raise no_such_object("messenger", comment_id, "POST")
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise bad_param("messenger", "Missing message or attachment")
    return message


def _by_token(audience: Audience, token: str, now: float) -> str:
    optin = audience.optin_tokens.get(token)
    if optin is None:
        raise bad_param("messenger", "notification_messages_token is invalid")
    if now >= optin.expires_at:
        raise bad_param("messenger", "notification_messages_token has expired")
    _check_blocked(audience, optin.psid)
    return optin.psid


def whatsapp_allowed(
    audience: Audience, to: str, kind: str, content: dict[str, Any], now: float
) -> None:
    """Refuses a Cloud API send that Meta would not deliver."""
    if kind == "template":
        _check_template(audience, content)
    if to in audience.whatsapp_undeliverable:
        raise error_for("whatsapp", 131026)
    if kind == "template":
        return
    last = audience.whatsapp_wrote.get(to)
    if last is None or now - last > WHATSAPP_WINDOW:
        raise error_for("whatsapp", 131047)


def _check_template(audience: Audience, template: dict[str, Any]) -> None:
    name, language = str(template["name"]), str(template["language"]["code"])
    expected = audience.templates.get((name, language))
    if expected is None:
        error = error_for("whatsapp", 132001)
        error.details = f"template name ({name}) does not exist in {language}"
        raise error
    given = body_params(template)
    if given != expected:
        error = error_for("whatsapp", 132000)
        error.details = (
            f"body: number of localizable_params ({given}) does not match the expected"
            f" number of params ({expected})"
        )
        raise error
