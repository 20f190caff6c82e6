"""A Telegram Bot API on 127.0.0.1 for tests: the subset Theke uses, with Telegram's limits.

``with TelegramApi(token="123:ABC") as api:`` serves ``{api.base_url}/bot{token}/{method}``
over real HTTP (standard library only, a background thread) for sync and async tests.

Mirrored Bot API behaviour (https://core.telegram.org/bots/api):

- GET and POST; parameters in the query string, a JSON body, form fields or multipart;
  method names are case-insensitive; every answer is ``{"ok": true, "result": ...}`` or
  ``{"ok": false, "error_code": N, "description": ...}`` with HTTP status N;
- a wrong or revoked token gets 401 "Unauthorized", an unknown method 404 "Not Found";
- sends to a chat that never started the bot get 400 "Bad Request: chat not found", to a
  chat that blocked it 403 "Forbidden: bot was blocked by the user";
- text, caption, keyboard and secret-token limits as in :mod:`theke.testing._telegram_rules`;
- in a private chat the user's and the bot's messages share one ``message_id`` sequence;
- a callback query can be answered once, and only if it was sent (``update_callback``);
- 429 answers carry ``parameters.retry_after`` like Telegram's flood control;
- files users sent (``add_file``) are described by ``getFile`` and downloaded from
  ``/file/bot{token}/{file_path}``.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from theke.testing._http_fake import HttpFakeServer, LoopbackApi, Reply
from theke.testing._telegram_rules import (
    Refusal,
    bad_request,
    check_caption,
    check_reply_markup,
    check_secret_token,
    check_text,
    json_field,
    utf16_len,
)

__all__ = ["ApiRequest", "SentCall", "TelegramApi", "WebhookInfo"]

_CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document"
    " choose_sticker find_location record_video_note upload_video_note".split()
)
_MEDIA_TYPES = frozenset({"photo", "video", "document", "audio"})
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})


@dataclass(frozen=True)
class SentCall:
    """A call the API accepted, in arrival order: what the user would now see."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass(frozen=True)
class ApiRequest:
    """Any request, accepted or refused, with the HTTP status it got (retries show here)."""

    method: str
    params: dict[str, Any]
    status: int
    at: float


@dataclass(frozen=True)
class WebhookInfo:
    """The webhook as the last ``setWebhook``/``deleteWebhook`` left it."""

    url: str = ""
    secret_token: str | None = None
    allowed_updates: tuple[str, ...] | None = None


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None
    description: str | None


@dataclass
class _Chat:
    id: int
    first_name: str
    language_code: str
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_message_id: int = 1


class TelegramApi(LoopbackApi):
    """A loopback Telegram Bot API. Use as a context manager or call start()/close()."""

    def __init__(
        self,
        token: str = "123:ABC",  # noqa: S107 - the fake's own test token
        *,
        username: str = "theke_test_bot",
        first_name: str = "Theke",
    ) -> None:
        self.token = token
        self._bot = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._lock = threading.RLock()
        self._server = HttpFakeServer(self._handle)
        self._revoked = False
        self._chats: dict[int, _Chat] = {}
        self._blocked: set[int] = set()
        self._failures: list[_Failure] = []
        self._sent: list[SentCall] = []
        self._requests: list[ApiRequest] = []
        self._queries: set[str] = set()
        self._webhook = WebhookInfo()
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_000_000_001)
        self._file_ids = itertools.count(1000)
        self._files: dict[str, tuple[str, bytes, str]] = {}

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the bot's methods live at ``{base_url}/bot{token}/``."""
        return self._server.base_url

    # -- test controls ---------------------------------------------------------------------

    def start_chat(
        self, chat_id: int, first_name: str = "Kim", *, language_code: str = "de"
    ) -> None:
        """The user ``chat_id`` pressed Start: the bot may now write to them."""
        with self._lock:
            self._blocked.discard(chat_id)
            if chat_id not in self._chats:
                self._chats[chat_id] = _Chat(chat_id, first_name, language_code)

    def add_file(self, data: bytes, mime_type: str, *, kind: str = "photos") -> str:
        """A file a user sent (a photo, a voice message, ...); returns its ``file_id``.

        ``getFile`` then names its path, and ``{base_url}/file/bot{token}/{path}`` serves it.
        """
        with self._lock:
            file_id = f"AgACAgIAAxkBAAI{next(self._file_ids)}"
            extension = {"image/jpeg": ".jpg", "audio/ogg": ".oga"}.get(mime_type, "")
            self._files[file_id] = (f"{kind}/file_{len(self._files)}{extension}", data, mime_type)
            return file_id

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to them gets 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def revoke_token(self) -> None:
        """The owner revoked the token in @BotFather: every call gets 401."""
        with self._lock:
            self._revoked = True

    def fail_next(
        self, status: int = 429, *, retry_after: int | None = None, description: str | None = None
    ) -> None:
        """The next request fails with ``status`` before its parameters are checked.

        Each call queues one failure; a 429 carries ``parameters.retry_after``.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._failures.append(_Failure(status, retry_after, description))

    @property
    def sent(self) -> list[SentCall]:
        """Accepted calls in order."""
        with self._lock:
            return list(self._sent)

    @property
    def requests(self) -> list[ApiRequest]:
        """Every request in order, refused ones included."""
        with self._lock:
            return list(self._requests)

    @property
    def webhook(self) -> WebhookInfo:
        """The webhook as it is set now."""
        with self._lock:
            return self._webhook

    def calls_to(self, chat_id: int) -> list[SentCall]:
        """Accepted calls addressed to ``chat_id``."""
        return [call for call in self.sent if _chat_key(call.params.get("chat_id")) == chat_id]

    def clear(self) -> None:
        """Forget recorded calls and queued failures (chats, blocks and webhook stay)."""
        with self._lock:
            self._sent.clear()
            self._requests.clear()
            self._failures.clear()

    # -- updates a test posts to the bot's webhook ------------------------------------------

    def update_message(
        self, chat_id: int, text: str, *, message_id: int | None = None, language_code: str = "de"
    ) -> dict[str, Any]:
        """A text message from the user, shaped like Telegram's ``Update``."""
        with self._lock:
            chat = self._user_chat(chat_id, language_code)
            message = self._user_message(chat, message_id)
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"offset": 0, "length": utf16_len(command), "type": "bot_command"}
                ]
            return {"update_id": next(self._update_ids), "message": message}

    def update_callback(self, chat_id: int, data: str, message_id: int) -> dict[str, Any]:
        """The user pressed an inline button with ``data`` under the bot's ``message_id``."""
        with self._lock:
            chat = self._user_chat(chat_id, None)
            query_id = str(next(self._query_ids))
            self._queries.add(query_id)
            message = chat.messages.get(message_id) or self._bot_message(chat, message_id)
            query = {
                "id": query_id,
                "from": _user(chat),
                "message": message,
                "chat_instance": f"-{chat.id}",
                "data": data,
            }
            return {"update_id": next(self._update_ids), "callback_query": query}

    def update_contact(self, chat_id: int, phone: str, user_id: int) -> dict[str, Any]:
        """The user shared a contact (their own if ``user_id == chat_id``)."""
        with self._lock:
            chat = self._user_chat(chat_id, None)
            message = self._user_message(chat, None)
            message["contact"] = {
                "phone_number": phone,
                "first_name": chat.first_name,
                "user_id": user_id,
            }
            return {"update_id": next(self._update_ids), "message": message}

    # -- HTTP ------------------------------------------------------------------------------

    def _handle(self, http_method: str, path: str, params: dict[str, Any]) -> Reply:
        if path.startswith("/file/"):
            return self._download(path)
        method = path.rsplit("/", 1)[-1]
        with self._lock:
            try:
                result = self._call(path, method.lower(), params)
            except Refusal as refusal:
                reply = _refusal_reply(refusal)
            else:
                self._sent.append(SentCall(method, params, time.time()))
                reply = Reply(200, {"ok": True, "result": result})
            self._requests.append(ApiRequest(method, params, reply.status, time.time()))
            return reply

    def _call(self, path: str, method: str, params: dict[str, Any]) -> Any:
        prefix, _, _ = path.rpartition("/")
        if not prefix.startswith("/bot"):
            raise Refusal(404, "Not Found")
        if prefix != f"/bot{self.token}" or self._revoked:
            raise Refusal(401, "Unauthorized")
        handler = self._methods().get(method)
        if handler is None:
            raise Refusal(404, "Not Found")
        if self._failures:
            failure = self._failures.pop(0)
            raise _injected(failure)
        return handler(params)

    def _methods(self) -> dict[str, Any]:
        return {
            "getme": lambda _params: dict(self._bot),
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "sendmediagroup": self._send_media_group,
            "sendchataction": self._send_chat_action,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
        }

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        found = self._files.get(file_id)
        if found is None:
            raise Refusal(400, "Bad Request: invalid file_id")
        path, data, _mime = found
        return {
            "file_id": file_id,
            "file_unique_id": file_id[-8:],
            "file_size": len(data),
            "file_path": path,
        }

    def _download(self, path: str) -> Reply:
        """``GET /file/bot<token>/<file_path>``: the file's bytes, as Telegram serves them."""
        with self._lock:
            prefix = f"/file/bot{self.token}/"
            if not path.startswith(prefix) or self._revoked:
                return Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            for file_path, data, mime in self._files.values():
                if path == prefix + file_path:
                    return Reply(200, raw=data, content_type=mime)
            return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    # -- methods ---------------------------------------------------------------------------

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url:
            _check_webhook_url(url)
        check_secret_token(params.get("secret_token"))
        allowed = params.get("allowed_updates")
        updates = self._webhook.allowed_updates
        if allowed not in (None, ""):
            parsed = json_field(allowed, "allowed_updates")
            if not isinstance(parsed, list):
                raise bad_request("can't parse allowed_updates JSON array")
            updates = tuple(str(kind) for kind in parsed)
        self._webhook = WebhookInfo(url, params.get("secret_token") or None, updates)
        return True

    def _delete_webhook(self, _params: dict[str, Any]) -> bool:
        self._webhook = WebhookInfo(allowed_updates=self._webhook.allowed_updates)
        return True

    def _get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        if self._webhook.url:
            info["max_connections"] = 40
        if self._webhook.allowed_updates is not None:
            info["allowed_updates"] = list(self._webhook.allowed_updates)
        return info

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._recipient(params)
        check_text(params.get("text"), params.get("parse_mode"))
        markup = check_reply_markup(params.get("reply_markup"))
        return self._store(chat, {"text": str(params["text"])}, markup)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._recipient(params)
        photo = params.get("photo")
        if not photo:
            raise bad_request("there is no photo in the request")
        check_caption(params.get("caption"), params.get("parse_mode"))
        markup = check_reply_markup(params.get("reply_markup"))
        return self._store(chat, _photo_fields(photo, params.get("caption")), markup)

    def _send_media_group(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._recipient(params)
        media = json_field(params.get("media"), "media")
        if not media:
            raise bad_request('parameter "media" is required')
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the group: 2-10 are allowed")
        for item in media:
            _check_media_item(item)
        group = str(next(self._query_ids))
        return [self._media_message(chat, item, group) for item in media]

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._recipient(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if utf16_len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._queries.discard(query_id)
        return True

    # -- chats and messages ----------------------------------------------------------------

    def _recipient(self, params: dict[str, Any]) -> _Chat:
        raw = params.get("chat_id")
        if raw in (None, ""):
            raise bad_request("chat_id is empty")
        chat = self._chats.get(_chat_key(raw) or 0)
        if chat is None:
            raise bad_request("chat not found")
        if chat.id in self._blocked:
            raise Refusal(403, "Forbidden: bot was blocked by the user")
        return chat

    def _user_chat(self, chat_id: int, language_code: str | None) -> _Chat:
        self.start_chat(chat_id, language_code=language_code or "de")
        chat = self._chats[chat_id]
        if language_code is not None:
            chat.language_code = language_code
        return chat

    def _user_message(self, chat: _Chat, message_id: int | None) -> dict[str, Any]:
        number = message_id if message_id is not None else chat.next_message_id
        chat.next_message_id = max(chat.next_message_id, number + 1)
        return {"message_id": number, "from": _user(chat), "chat": _chat(chat), "date": _now()}

    def _bot_message(self, chat: _Chat, message_id: int | None = None) -> dict[str, Any]:
        number = message_id if message_id is not None else chat.next_message_id
        chat.next_message_id = max(chat.next_message_id, number + 1)
        return {"message_id": number, "from": dict(self._bot), "chat": _chat(chat), "date": _now()}

    def _store(
        self, chat: _Chat, fields: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        message = self._bot_message(chat) | fields
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        chat.messages[message["message_id"]] = message
        return message

    def _media_message(self, chat: _Chat, item: dict[str, Any], group: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"media_group_id": group}
        if item.get("type") == "photo":
            fields |= _photo_fields(item["media"], item.get("caption"))
        else:
            fields[str(item["type"])] = {"file_id": str(item["media"])}
            if item.get("caption"):
                fields["caption"] = str(item["caption"])
        return self._store(chat, fields, None)


def _chat_key(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _now() -> int:
    return int(time.time())


def _user(chat: _Chat) -> dict[str, Any]:
    return {
        "id": chat.id,
        "is_bot": False,
        "first_name": chat.first_name,
        "language_code": chat.language_code,
    }


def _chat(chat: _Chat) -> dict[str, Any]:
    return {"id": chat.id, "first_name": chat.first_name, "type": "private"}


def _photo_fields(photo: Any, caption: Any) -> dict[str, Any]:
    file_id = photo if isinstance(photo, str) else f"upload-{len(photo)}"
    fields: dict[str, Any] = {"photo": [{"file_id": file_id, "width": 800, "height": 800}]}
    if caption:
        fields["caption"] = str(caption)
    return fields


def _check_media_item(item: Any) -> None:
    if not isinstance(item, dict) or item.get("type") not in _MEDIA_TYPES:
        raise bad_request("can't parse InputMedia: media type is invalid")
    if not item.get("media"):
        raise bad_request("can't parse InputMedia: media not found")
    check_caption(item.get("caption"), item.get("parse_mode"))


def _check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (parts.port or 443) not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _injected(failure: _Failure) -> Refusal:
    if failure.status == 429:
        description = failure.description or f"Too Many Requests: retry after {failure.retry_after}"
        return Refusal(429, description, {"retry_after": failure.retry_after})
    known = failure.status in {status.value for status in HTTPStatus}
    phrase = HTTPStatus(failure.status).phrase if known else "Error"
    return Refusal(failure.status, failure.description or phrase)


def _refusal_reply(refusal: Refusal) -> Reply:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": refusal.status,
        "description": refusal.description,
    }
    if refusal.parameters:
        body["parameters"] = refusal.parameters
    return Reply(refusal.status, body)
