"""Meta's Graph API on 127.0.0.1 for tests: the Messenger Send API and the WhatsApp Cloud API.

``with GraphApi() as api:`` serves ``{api.base_url}`` (``http://127.0.0.1:PORT/v25.0``; any
``vNN.N`` prefix works) over real HTTP in a background thread, for sync and async tests.

Mirrored Graph API behaviour, the subset shop bots use:

- Messenger: ``POST /{page-id}/messages`` and ``POST /me/messages`` with the Page token as
  ``access_token`` or ``Authorization: Bearer``; JSON or form fields. Answers as in
  :mod:`theke.testing._graph_sends`; message limits in :mod:`theke.testing._messenger_rules`;
  the 24-hour window, tags, blocks, private replies and opt-in tokens in
  :mod:`theke.testing._graph_policy`. A customer's yes to an opt-in request the Page sent
  is :meth:`GraphApi.messenger_tap_optin`, which gives the webhook Meta then posts.
- Comments under the Page's posts (seeded with :meth:`GraphApi.messenger_user_commented`):
  ``POST /{comment-id}/comments`` with ``message`` posts a public reply and answers
  ``{"id": "<the reply's comment id>"}`` (:meth:`GraphApi.comment_replies` lists them); a
  private reply is a Send API call with ``recipient.comment_id``.
- WhatsApp: ``POST /{phone-number-id}/messages`` with the system-user token; messages and
  read receipts (:mod:`theke.testing._graph_sends`), limits in
  :mod:`theke.testing._whatsapp_rules`, the 24-hour window, templates and undeliverable
  numbers in :mod:`theke.testing._graph_policy`.
- Media as WhatsApp serves it: ``GET /{media-id}`` (token required) gives a ``url`` valid
  for 5 minutes that again needs the token and returns the bytes with their Content-Type;
  Messenger attachments sit at public CDN-like URLs (:mod:`theke.testing._graph_media`).
- Errors in Meta's shape and with its HTTP status (:mod:`theke.testing._graph_rules`): a
  wrong token is 190 (HTTP 400 on Messenger, 401 on WhatsApp), a revoked one 190 subcode 460,
  a missing one 104; an unknown object id 100 subcode 33.

Where the fake differs: WhatsApp's 131047 (re-engagement) and 131026 (undeliverable) come
back at once as HTTP 400, where Meta usually accepts the send and reports a ``failed``
status webhook later (build one with :func:`theke.testing.meta_webhooks.whatsapp_status`).

The fake has its own clock (``api.now``, settable; ``api.advance(seconds)``) so tests can
step past the 24-hour and 7-day windows.
"""

from __future__ import annotations

import itertools
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from theke.testing._graph_media import MediaStore
from theke.testing._graph_policy import Audience, Comment, OptinToken, public_reply
from theke.testing._graph_rules import (
    Api,
    GraphError,
    bad_param,
    error_for,
    invalid_token,
    missing_token,
    no_such_object,
)
from theke.testing._graph_sends import messenger_send, new_wamid, whatsapp_send
from theke.testing._http_fake import FakeRequest, HttpFakeServer, LoopbackApi, Reply
from theke.testing.meta_webhooks import messenger_optin

__all__ = ["CommentReply", "GraphApi", "GraphCall", "GraphRequest"]

VERSION = "v25.0"
OPTIN_DEFAULT_TITLE = "Updates and promotions"
"""The title Messenger shows on an opt-in request that has none."""
_VERSION = re.compile(r"^/v\d+\.\d+(?=/)")


@dataclass(frozen=True)
class GraphCall:
    """A send the API accepted, in arrival order: what the person now sees.

    ``recipient`` is the PSID or wa_id it reached; ``id`` the ``message_id`` / wamid it got
    (``None`` for sender actions and read receipts).
    """

    api: Api
    path: str
    body: dict[str, Any]
    recipient: str
    id: str | None
    at: float


@dataclass(frozen=True)
class GraphRequest:
    """Any request, accepted or refused, with its HTTP status (retries show here)."""

    api: Api | None
    method: str
    path: str
    body: dict[str, Any]
    status: int
    at: float


@dataclass(frozen=True)
class CommentReply:
    """A reply the Page posted under a comment: everyone sees ``message`` there."""

    comment_id: str
    message: str
    id: str
    at: float


@dataclass(frozen=True)
class _Failure:
    api: Api | None
    code: int
    subcode: int | None
    status: int | None


class GraphApi(LoopbackApi):
    """A loopback Graph API for one Page and one WhatsApp number. Use ``with`` or start/close.

    ``app_id`` is only kept for the test's use (Meta's webhooks do not carry it).
    """

    def __init__(
        self,
        page_id: str = "1111",
        page_token: str = "PAGE-TOKEN",  # noqa: S107 - the fake's own test token
        phone_number_id: str = "2222",
        wa_token: str = "WA-TOKEN",  # noqa: S107 - the fake's own test token
        app_id: str = "3333",
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.page_id, self.page_token = page_id, page_token
        self.phone_number_id, self.wa_token, self.app_id = phone_number_id, wa_token, app_id
        self._clock = clock
        self._now: float | None = None
        self._lock = threading.RLock()
        self._server = HttpFakeServer(on_request=self._on_request)
        self._audience = Audience()
        self._revoked = False
        self._failures: list[_Failure] = []
        self._sent: list[GraphCall] = []
        self._replies: list[CommentReply] = []
        self._requests: list[GraphRequest] = []
        self._media = MediaStore()
        self._ids = itertools.count(1)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v25.0``, what a client uses instead of graph.facebook.com."""
        return f"{self._server.base_url}/{VERSION}"

    @property
    def now(self) -> float:
        """The fake's time (epoch seconds): the ``clock`` until a test sets it."""
        with self._lock:
            return self._clock() if self._now is None else self._now

    @now.setter
    def now(self, value: float) -> None:
        with self._lock:
            self._now = value

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward, e.g. ``api.advance(25 * 3600)`` to close a window."""
        with self._lock:
            self._now = self.now + seconds

    # -- Messenger: the people on the other side ---------------------------------------------

    def messenger_user_wrote(self, psid: str, at: float | None = None) -> None:
        """``psid`` wrote to the Page at ``at`` (default now): the 24-hour window opens."""
        with self._lock:
            self._audience.messenger_wrote[psid] = self.now if at is None else at

    def messenger_block(self, psid: str) -> None:
        """``psid`` blocked the Page: every send to them gets 551 / 1545041."""
        with self._lock:
            self._audience.messenger_blocked.add(psid)

    def messenger_user_commented(self, comment_id: str, psid: str, at: float | None = None) -> None:
        """``psid`` commented on a Page post: one private reply is allowed within 7 days."""
        with self._lock:
            self._audience.comments[comment_id] = Comment(psid, self.now if at is None else at)

    def messenger_comment_removed(self, comment_id: str) -> None:
        """The author deleted their comment: replies to it, public or private, are refused."""
        with self._lock:
            self._audience.comments[comment_id].removed = True

    def messenger_issue_optin_token(self, psid: str, expires_at: float) -> str:
        """``psid`` opted in to marketing messages; returns the ``notification_messages_token``."""
        with self._lock:
            token = str(10**17 + next(self._ids))
            self._audience.optin_tokens[token] = OptinToken(psid, expires_at)
            return token

    def messenger_tap_optin(self, psid: str, *, expires_at: float | None = None) -> dict[str, Any]:
        """``psid`` tapped the button of the last opt-in request the Page sent them.

        Issues their ``notification_messages_token`` (as :meth:`messenger_issue_optin_token`;
        valid until ``expires_at``, by default for good) and returns the ``messaging_optins``
        webhook Meta then posts, with the request's ``payload`` and title: sign it and
        deliver it to the bot. Raises ``LookupError`` when no opt-in request reached ``psid``.
        """
        with self._lock:
            request = self._last_optin_request(psid)
            until = math.inf if expires_at is None else expires_at
            token = self.messenger_issue_optin_token(psid, until)
            return messenger_optin(
                self.page_id,
                psid,
                token,
                str(request["payload"]),
                title=str(request.get("title") or OPTIN_DEFAULT_TITLE),
                token_expiry=None if expires_at is None else int(expires_at * 1000),
                timezone=request.get("notification_messages_timezone"),
                timestamp=int(self.now * 1000),
            )

    def _last_optin_request(self, psid: str) -> dict[str, Any]:
        for call in reversed(self.messenger_sent(psid)):
            attachment = call.body.get("message", {}).get("attachment") or {}
            payload = attachment.get("payload") or {}
            if payload.get("template_type") == "notification_messages":
                return dict(payload)
        raise LookupError(f"no Marketing Messages opt-in request reached {psid}")

    def messenger_add_attachment(self, data: bytes, mime_type: str) -> str:
        """Bytes a person sent, at a public CDN-like URL on this server (call while running)."""
        with self._lock:
            name = self._media.add_attachment(next(self._ids), data, mime_type)
            return f"{self._server.base_url}/fbcdn/{name}?_nc_cat=1&oh={secrets.token_hex(8)}"

    # -- WhatsApp: the people on the other side ----------------------------------------------

    def whatsapp_user_wrote(
        self, wa_id: str, text: str | None = None, at: float | None = None
    ) -> str:
        """``wa_id`` wrote at ``at`` (default now); returns the message's wamid.

        The 24-hour window opens and the wamid becomes one the bot may mark as read. ``text``
        is for the test's reader; the fake does not need it.
        """
        with self._lock:
            self._audience.whatsapp_wrote[wa_id] = self.now if at is None else at
            wamid = new_wamid(wa_id, next(self._ids))
            self._audience.whatsapp_inbound[wamid] = wa_id
            return wamid

    def whatsapp_undeliverable(self, wa_id: str) -> None:
        """``wa_id`` cannot receive (no WhatsApp, old app, blocked): sends get 131026."""
        with self._lock:
            self._audience.whatsapp_undeliverable.add(wa_id)

    def whatsapp_add_template(self, name: str, language: str, body_params: int = 0) -> None:
        """An approved message template with ``body_params`` placeholders in its body."""
        with self._lock:
            self._audience.templates[(name, language)] = body_params

    def whatsapp_add_media(self, data: bytes, mime_type: str) -> str:
        """Media a user sent (or the bot uploaded); returns its media id."""
        with self._lock:
            media_id = str(10**15 + next(self._ids))
            self._media.add_media(media_id, data, mime_type)
            return media_id

    # -- failures and records ----------------------------------------------------------------

    def fail_next(
        self,
        code: int,
        *,
        subcode: int | None = None,
        status: int | None = None,
        times: int = 1,
        api: Api | None = None,
    ) -> None:
        """The next ``times`` authenticated calls (of ``api``, or of either) fail with ``code``.

        The body is Meta's for that code (e.g. 4, 613, 130429, 131056, 2); ``status``
        overrides the documented HTTP status.
        """
        with self._lock:
            self._failures.extend(_Failure(api, code, subcode, status) for _ in range(times))

    def revoke_tokens(self) -> None:
        """The owner invalidated both tokens: every call gets 190 / 460."""
        with self._lock:
            self._revoked = True

    @property
    def sent(self) -> list[GraphCall]:
        """Accepted sends of both APIs, in order."""
        with self._lock:
            return list(self._sent)

    @property
    def requests(self) -> list[GraphRequest]:
        """Every request in order, refused ones included."""
        with self._lock:
            return list(self._requests)

    def comment_replies(self, comment_id: str | None = None) -> list[CommentReply]:
        """Public replies the Page posted, in order (under ``comment_id``, or under any)."""
        with self._lock:
            return [r for r in self._replies if comment_id in (None, r.comment_id)]

    def messenger_sent(self, psid: str) -> list[GraphCall]:
        """Accepted Messenger sends that reached ``psid``."""
        return [c for c in self.sent if c.api == "messenger" and c.recipient == psid]

    def whatsapp_sent(self, wa_id: str) -> list[GraphCall]:
        """Accepted WhatsApp sends (and read receipts) for ``wa_id``."""
        return [c for c in self.sent if c.api == "whatsapp" and c.recipient == wa_id]

    def clear(self) -> None:
        """Forget recorded calls and queued failures (people, templates and media stay)."""
        with self._lock:
            self._sent.clear()
            self._replies.clear()
            self._requests.clear()
            self._failures.clear()

    # -- HTTP ------------------------------------------------------------------------------

    def _on_request(self, request: FakeRequest) -> Reply:
        with self._lock:
            body = {k: v for k, v in request.params.items() if k != "access_token"}
            api: Api | None = None
            try:
                if request.path.startswith(("/media-download/", "/fbcdn/")):
                    api, reply = self._download(request)
                else:
                    api, reply = self._graph(request, body)
            except GraphError as error:
                api, reply = error.api, Reply(error.status, error.body())
            at = self.now
            self._requests.append(
                GraphRequest(api, request.method, request.path, body, reply.status, at)
            )
            return reply

    def _graph(self, request: FakeRequest, body: dict[str, Any]) -> tuple[Api | None, Reply]:
        path = _VERSION.sub("", request.path, count=1)
        parts = [part for part in path.split("/") if part]
        api = self._api_for(parts, request)
        self._authenticate(api, request)
        if request.body_error is not None:
            raise bad_param(api, request.body_error)
        self._inject(api)
        if len(parts) == 1 and request.method == "GET" and parts[0] in self._media.media:
            info = self._media.info(parts[0], self._server.base_url, self.now)
            return api, Reply(200, info)
        if request.method == "POST" and parts[1:] == ["comments"] and api == "messenger":
            return api, self._reply_under(parts[0], body)
        if request.method != "POST" or parts[1:] != ["messages"] or parts[0] in self._media.media:
            raise no_such_object(api, "/".join(parts), request.method)
        if api == "messenger":
            recipient, result, sent_id = messenger_send(self._audience, body, self.now, self._ids)
        else:
            recipient, result, sent_id = whatsapp_send(
                self._audience, self._media.media, body, self.now, self._ids
            )
        self._sent.append(GraphCall(api, request.path, body, recipient, sent_id, self.now))
        return api, Reply(200, result)

    def _reply_under(self, comment_id: str, body: dict[str, Any]) -> Reply:
        message = public_reply(self._audience, comment_id, body)
        reply_id = f"{comment_id.split('_')[0]}_{10**15 + next(self._ids)}"
        self._replies.append(CommentReply(comment_id, message, reply_id, self.now))
        return Reply(200, {"id": reply_id})

    def _api_for(self, parts: list[str], request: FakeRequest) -> Api:
        target = parts[0] if parts else ""
        if target in (self.page_id, "me") or target in self._audience.comments:
            return "messenger"
        if target == self.phone_number_id or target in self._media.media:
            return "whatsapp"
        api: Api = "whatsapp" if _token(request) == self.wa_token else "messenger"
        self._authenticate(api, request)
        raise no_such_object(api, target, request.method)

    def _authenticate(self, api: Api, request: FakeRequest) -> None:
        token = _token(request)
        if self._revoked:
            raise invalid_token(api, revoked=True)
        if not token:
            raise missing_token(api)
        if token != (self.page_token if api == "messenger" else self.wa_token):
            raise invalid_token(api)

    def _inject(self, api: Api) -> None:
        for index, failure in enumerate(self._failures):
            if failure.api in (None, api):
                del self._failures[index]
                raise error_for(api, failure.code, subcode=failure.subcode, status=failure.status)

    def _download(self, request: FakeRequest) -> tuple[Api | None, Reply]:
        name = request.path.rsplit("/", 1)[-1]
        if request.path.startswith("/fbcdn/"):
            return "messenger", self._media.attachment(name)
        self._authenticate("whatsapp", request)
        key = str(request.params.get("hash") or "")
        return "whatsapp", self._media.download(name, key, self.now)


def _token(request: FakeRequest) -> str:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return str(request.params.get("access_token") or "")
