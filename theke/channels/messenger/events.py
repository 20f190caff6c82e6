"""Messenger webhook deliveries to ``InboundEvent``s: pure functions, no I/O.

Meta batches: one delivery holds ``entry[]``, one per page, each with
``messaging[]`` (events for the app that owns the thread), ``standby[]``
(events while another app owns it) or ``changes[]`` (page subscriptions such
as ``feed``). Every entry and every item is parsed; a broken item is skipped
and the others kept, so one odd event cannot lose a customer's message. Every
model ignores fields it does not know, so new Graph API versions parse.

``parse_delivery`` raises ``MessengerWebhookError`` for a body that is not a
page delivery (the webhook answers 400) and returns no event for what Theke
does not act on (the webhook answers 200, so Meta does not send it again):

- entries for another page (when ``page_id`` is given);
- reactions, account linking, game plays, message edits, app roles and any
  unknown item; opt-ins other than Marketing Messages and one-time
  notifications; feed changes other than comments; the page's own comments.

Kinds and ``extra`` keys follow ``theke.channels.base.InboundKind``:

- ``message``: ``text``; ``attachments`` (``{"type": "image" | "audio" | "video"
  | "file" | "location", "url", "title"}``, ``latitude``/``longitude`` for a
  location; a shared link, post or template is a ``file``, a reel a ``video``);
  ``reply_to`` (the mid answered); ``referral``; ``contact_phone`` (E.164) or
  ``contact_email`` with ``contact_verified``; ``unsupported`` (true when
  nothing is readable, e.g. only a sticker: the bot says it cannot read it),
  ``sticker`` (true when one was sent);
- ``postback``: a tapped button or quick reply; ``referral`` when a "Get
  Started" tap came through a link;
- ``referral``: ``referral`` (``source``, ``type``, ``ref``, ``ad_id``,
  ``referer_uri``, the ones present);
- ``echo``: ``sender`` is the customer's PSID (the conversation is theirs);
  ``app_id``, ``metadata``, ``own`` (sent by our app or with ``theke:``
  metadata), ``mid``;
- ``status``: ``status`` ``optin``/``optout`` with ``token``, ``expires_at``
  (ISO UTC), ``topic``, ``frequency``, ``title`` (``kind`` ``one_time`` for
  the older one-time notification); ``delivered`` with ``watermark`` and
  ``mids``; ``read`` with ``watermark``;
- ``handover``: ``action`` (``pass``, ``take``, ``request``), ``to_app_id``
  and/or ``from_app_id``, ``metadata``, ``to_us``;
- ``comment``: ``sender`` is the commenter; ``verb``, ``comment_id``,
  ``post_id``, ``parent_id``, ``from_name``, ``created_time``, ``page_id``.

Every messaging event also has ``timestamp`` (Meta's, in milliseconds) and,
from ``standby[]``, ``standby: True``. ``received_at`` is our receipt time,
never Meta's: the messaging windows count from when we received a message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeGuard

from pydantic import ValidationError

from theke.channels.base import InboundEvent
from theke.channels.messenger import _notices
from theke.channels.messenger._draft import ID_MAX, Draft
from theke.channels.messenger._message import customer_message, echo
from theke.channels.messenger._models import Change, Entry, Envelope, Messaging
from theke.errors import ThekeError

__all__ = ["CHANNEL", "MessengerWebhookError", "parse_delivery"]

CHANNEL = "messenger"


class MessengerWebhookError(ThekeError, ValueError):
    """The webhook body is not a Messenger page delivery; the webhook answers 400."""


def parse_delivery(
    body: bytes,
    *,
    page_id: str | None = None,
    app_id: str | None = None,
    received_at: datetime | None = None,
) -> list[InboundEvent]:
    """The events in one webhook body, in the order Meta listed them.

    ``page_id`` is the page this webhook serves (entries for others are
    skipped, and its own comments too); ``app_id`` is this app's id (its
    echoes are ``own``, control passed to it is ``to_us``). Raises
    ``MessengerWebhookError`` when ``body`` is not JSON or not a page delivery.
    """
    envelope = _load(body)
    now = received_at or datetime.now(UTC)
    return [
        _event(draft, now)
        for entry in _entries(envelope, page_id)
        for draft in _drafts(entry, page_id, app_id)
    ]


def _load(body: bytes) -> Envelope:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MessengerWebhookError(f"Messenger webhook body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MessengerWebhookError(
            f"Messenger webhook body must be a JSON object, not {type(data).__name__}"
        )
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        raise MessengerWebhookError(
            f"Messenger webhook body has an unexpected shape: {exc}"
        ) from exc
    if envelope.object != "page":
        raise MessengerWebhookError(
            f"Messenger webhook body is for {envelope.object!r}, not a page: "
            "subscribe this address to the Page object only"
        )
    return envelope


def _entries(envelope: Envelope, page_id: str | None) -> Iterator[Entry]:
    for raw in envelope.entry:
        try:
            entry = Entry.model_validate(raw)
        except ValidationError:
            continue
        if page_id is None or entry.id == page_id:
            yield entry


def _drafts(entry: Entry, page_id: str | None, app_id: str | None) -> Iterator[Draft]:
    for items, standby in ((entry.messaging, False), (entry.standby, True)):
        for raw in items:
            try:
                item = Messaging.model_validate(raw)
            except ValidationError:
                continue
            draft = _messaging(item, app_id)
            if draft is not None:
                yield _stamped(draft, item.timestamp, standby=standby)
    for raw in entry.changes:
        try:
            change = Change.model_validate(raw)
        except ValidationError:
            continue
        draft = (
            _notices.comment(change.value, page_id or entry.id) if change.field == "feed" else None
        )
        if draft is not None:
            yield draft


def _messaging(item: Messaging, app_id: str | None) -> Draft | None:
    if item.message is not None and item.message.is_echo:
        customer = item.recipient.id if item.recipient else None  # the page sent it to them
        return echo(item.message, customer, app_id=app_id) if _is_psid(customer) else None
    psid = item.sender.id if item.sender else None
    if not _is_psid(psid):
        return None  # e.g. a checkbox plugin opt-in: only a user_ref, no conversation yet
    if item.message is not None:
        return customer_message(item.message, psid)
    if item.postback is not None:
        return _notices.postback(item.postback, psid, item.timestamp)
    if item.referral is not None:
        return _notices.referral(item.referral, psid, item.timestamp)
    if item.optin is not None:
        return _notices.optin(item.optin, psid, item.timestamp)
    if item.delivery is not None or item.read is not None:
        return _notices.receipt(item, psid)
    return _notices.handover(item, psid, app_id=app_id)


def _is_psid(psid: str | None) -> TypeGuard[str]:
    """A PSID the store can keep: present and at most 255 characters."""
    return psid is not None and 0 < len(psid) <= ID_MAX


def _stamped(draft: Draft, timestamp: int | None, *, standby: bool) -> Draft:
    """The draft with Meta's timestamp and the standby flag in ``extra``."""
    extra = dict(draft.extra)
    if timestamp is not None:
        extra["timestamp"] = timestamp
    if standby:
        extra["standby"] = True
    return replace(draft, extra=extra)


def _event(draft: Draft, received_at: datetime) -> InboundEvent:
    return InboundEvent(
        channel=CHANNEL,
        event_id=draft.event_id,
        sender=draft.sender,
        kind=draft.kind,
        received_at=received_at,
        text=draft.text,
        postback=draft.postback,
        title=draft.title,
        extra=draft.extra,
    )
