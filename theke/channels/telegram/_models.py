"""Pydantic models of the Bot API objects inside the updates Theke reads.

Only the fields Theke uses; unknown fields are ignored so new Bot API versions
parse. See https://core.telegram.org/bots/api#available-types.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CallbackQuery",
    "Chat",
    "ChatMember",
    "ChatMemberUpdated",
    "Contact",
    "Document",
    "InlineKeyboardButton",
    "InlineKeyboardMarkup",
    "Location",
    "Message",
    "PhotoSize",
    "User",
    "Video",
    "Voice",
]


class _Object(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class User(_Object):
    id: int
    is_bot: bool = False
    language_code: str | None = None


class Chat(_Object):
    id: int
    type: str


class Contact(_Object):
    phone_number: str
    first_name: str = ""
    user_id: int | None = None


class PhotoSize(_Object):
    file_id: str
    width: int = 0
    height: int = 0


class Document(_Object):
    file_id: str
    file_name: str | None = None
    mime_type: str | None = None


class Voice(_Object):
    file_id: str
    duration: int = 0
    mime_type: str | None = None


class Video(_Object):
    file_id: str
    duration: int = 0
    mime_type: str | None = None


class Location(_Object):
    latitude: float
    longitude: float


class InlineKeyboardButton(_Object):
    text: str
    callback_data: str | None = None


class InlineKeyboardMarkup(_Object):
    inline_keyboard: list[list[InlineKeyboardButton]]


class Message(_Object):
    message_id: int
    chat: Chat
    from_: User | None = Field(default=None, alias="from")
    via_bot: User | None = None
    text: str | None = None
    caption: str | None = None
    contact: Contact | None = None
    photo: list[PhotoSize] | None = None
    document: Document | None = None
    voice: Voice | None = None
    video: Video | None = None
    location: Location | None = None
    reply_markup: InlineKeyboardMarkup | None = None

    def button_text(self, data: str) -> str | None:
        """The label of the inline button under this message that sends ``data``."""
        rows = self.reply_markup.inline_keyboard if self.reply_markup else []
        return next((b.text for row in rows for b in row if b.callback_data == data), None)


class CallbackQuery(_Object):
    id: str
    from_: User = Field(alias="from")
    message: Message | None = None
    data: str | None = None


class ChatMember(_Object):
    status: str
    user: User


class ChatMemberUpdated(_Object):
    chat: Chat
    from_: User = Field(alias="from")
    new_chat_member: ChatMember
