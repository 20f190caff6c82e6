"""Pydantic models of the Messenger webhook objects Theke reads.

Only the fields Theke uses; unknown fields are ignored so new Graph API
versions parse. Ids are strings even where Meta sends a number (``app_id`` of
an echo, the app ids of the handover protocol). A timestamp that is not a
whole number becomes ``None`` rather than failing its item. Lists of things
that are parsed one by one, so one broken element does not lose the others
(entries, their items, a message's attachments), stay ``list[Any]`` here.

See https://developers.facebook.com/docs/messenger-platform/webhooks.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "Attachment",
    "Change",
    "Comment",
    "Delivery",
    "Entry",
    "Envelope",
    "Message",
    "Messaging",
    "Optin",
    "Party",
    "PassThreadControl",
    "Postback",
    "Read",
    "Referral",
    "RequestThreadControl",
    "TakeThreadControl",
]


_TIME_MAX = 2**53
"""Larger numbers are no time (and lose precision in JSON readers)."""


def _whole_number(value: object) -> object:
    """A timestamp as an int, or None when it is none (``"TIMESTAMP"``, 1.5, -1, a list)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit() and len(value) < 20:
        number = int(value)
    return number if number is not None and 0 <= number < _TIME_MAX else None


Timestamp = Annotated[int | None, BeforeValidator(_whole_number)]


class _Object(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, coerce_numbers_to_str=True
    )


class Party(_Object):
    """A sender or recipient: the customer's PSID or the page id."""

    id: str


class Envelope(_Object):
    """The whole webhook body; ``entry`` is parsed entry by entry."""

    object: str
    entry: list[Any] = Field(default_factory=list)


class Entry(_Object):
    """One page's events; ``messaging``, ``standby`` and ``changes`` are parsed item by item."""

    id: str | None = None
    messaging: list[Any] = Field(default_factory=list)
    standby: list[Any] = Field(default_factory=list)
    changes: list[Any] = Field(default_factory=list)


class Referral(_Object):
    source: str | None = None
    type: str | None = None
    ref: str | None = None
    ad_id: str | None = None
    referer_uri: str | None = None


class QuickReply(_Object):
    payload: str | None = None


class ReplyTo(_Object):
    mid: str


class Coordinates(_Object):
    lat: float = Field(allow_inf_nan=False)
    long: float = Field(allow_inf_nan=False)


class AttachmentPayload(_Object):
    url: str | None = None
    title: str | None = None
    coordinates: Coordinates | None = None
    sticker_id: str | None = None


class Attachment(_Object):
    """One attachment; a fallback (a shared link) may have its title and url outside ``payload``."""

    type: str
    payload: AttachmentPayload | None = None
    title: str | None = None
    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "URL"))


class Message(_Object):
    mid: str
    text: str | None = None
    is_echo: bool = False
    app_id: str | None = None
    metadata: str | None = None
    quick_reply: QuickReply | None = None
    reply_to: ReplyTo | None = None
    referral: Referral | None = None
    attachments: list[Any] = Field(default_factory=list)


class Postback(_Object):
    mid: str | None = None
    title: str | None = None
    payload: str | None = None
    referral: Referral | None = None


class Optin(_Object):
    """Marketing Messages (``notification_messages``) or the older one-time notification."""

    type: str | None = None
    payload: str | None = None
    title: str | None = None
    notification_messages_token: str | None = None
    token_expiry_timestamp: Timestamp = None
    notification_messages_frequency: str | None = None
    notification_messages_timezone: str | None = None
    notification_messages_status: str | None = None
    user_token_status: str | None = None
    one_time_notif_token: str | None = None


class Delivery(_Object):
    watermark: int = Field(ge=0, lt=_TIME_MAX)
    mids: list[str] = Field(default_factory=list)


class Read(_Object):
    watermark: int = Field(ge=0, lt=_TIME_MAX)


class PassThreadControl(_Object):
    new_owner_app_id: str | None = None
    previous_owner_app_id: str | None = None
    metadata: str | None = None


class TakeThreadControl(_Object):
    previous_owner_app_id: str | None = None
    new_owner_app_id: str | None = None
    metadata: str | None = None


class RequestThreadControl(_Object):
    requested_owner_app_id: str | None = None
    metadata: str | None = None


class Messaging(_Object):
    """One item of ``messaging[]`` or ``standby[]``; at most one event field is set."""

    sender: Party | None = None
    recipient: Party | None = None
    timestamp: Timestamp = None
    message: Message | None = None
    postback: Postback | None = None
    referral: Referral | None = None
    optin: Optin | None = None
    delivery: Delivery | None = None
    read: Read | None = None
    pass_thread_control: PassThreadControl | None = None
    take_thread_control: TakeThreadControl | None = None
    request_thread_control: RequestThreadControl | None = None


class Change(_Object):
    """One item of ``changes[]`` (page subscriptions such as ``feed``)."""

    field: str | None = None
    value: Any = None


class CommentAuthor(_Object):
    id: str
    name: str | None = None


class Comment(_Object):
    """The ``value`` of a ``feed`` change whose ``item`` is ``comment``."""

    item: str | None = None
    verb: str | None = None
    comment_id: str | None = None
    post_id: str | None = None
    parent_id: str | None = None
    message: str | None = None
    from_: CommentAuthor | None = Field(default=None, alias="from")
    created_time: Timestamp = None
