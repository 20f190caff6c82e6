"""A loopback JSON-over-HTTP server for fakes of external APIs (standard library only).

The server runs ``http.server.ThreadingHTTPServer`` on 127.0.0.1 with a free port in a
background thread, so sync and async tests can both call it over real HTTP. It parses the
parameters of a request the way bot platforms accept them — query string, JSON body,
``application/x-www-form-urlencoded`` or ``multipart/form-data`` — and hands them to a
handler that returns a :class:`Reply`.

Two handler shapes: ``handler(method, path, params)`` for fakes that need no more, or
``on_request(FakeRequest)`` for fakes that read headers (``Authorization: Bearer ...``) or
answer a body that is not JSON themselves. A :class:`Reply` with ``raw`` bytes is served as is
with its ``content_type`` (media downloads).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "FakeRequest",
    "HttpFakeServer",
    "LoopbackApi",
    "Reply",
    "RequestHandler",
    "parse_body",
]

_POLL_SECONDS = 0.02  # how soon close() returns; serve_forever's default is 0.5 s


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: a JSON ``body``, or ``raw`` bytes served with ``content_type``."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/octet-stream"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FakeRequest:
    """One request as an ``on_request`` handler sees it.

    ``headers`` has lower-case names. ``body_error`` says why the body could not be read
    (``params`` then holds only the query string): the fake answers it in its platform's shape.
    """

    method: str
    path: str
    params: dict[str, Any]
    headers: Mapping[str, str]
    body_error: str | None = None


RequestHandler = Callable[[str, str, dict[str, Any]], Reply]
"""``handler(http_method, path, params) -> Reply``."""

FullHandler = Callable[[FakeRequest], Reply]
"""``on_request(request) -> Reply``: for fakes that need headers or answer bad bodies."""


class BadBody(ValueError):
    """The request body cannot be read as JSON or form fields."""


def parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """The parameters in a request body, by its ``Content-Type``."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not raw:
        return {}
    if kind == "application/json":
        return _json_object(raw)
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    if kind == "multipart/form-data":
        return _multipart(content_type, raw)
    return {}


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBody("the body is not valid JSON") from exc
    if not isinstance(value, dict):
        raise BadBody("the JSON body is not an object")
    return value


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() else data.decode("utf-8")
    return fields


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, http_method: str) -> None:
        url = urlsplit(self.path)
        params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        problem: str | None = None
        try:
            params.update(parse_body(self.headers.get("Content-Type", ""), raw))
        except BadBody as exc:
            problem = str(exc)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = FakeRequest(http_method, url.path, params, headers, problem)
        self._send(self.server.on_request(request))

    def _send(self, reply: Reply) -> None:
        if reply.raw is not None:
            data, content_type = reply.raw, reply.content_type
        else:
            data = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: test output is not the place for an access log."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a burst of parallel clients on a busy machine
    # then finds its connections reset, which no real platform API does.
    request_queue_size = 128

    def __init__(self, on_request: FullHandler) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.on_request = on_request


def _simple(handler: RequestHandler) -> FullHandler:
    """Adapts ``handler(method, path, params)``; an unreadable body gets a Bot API 400."""

    def on_request(request: FakeRequest) -> Reply:
        if request.body_error is not None:
            body = {"ok": False, "error_code": 400, "description": request.body_error}
            return Reply(400, body)
        return handler(request.method, request.path, request.params)

    return on_request


class HttpFakeServer:
    """Serves a handler on 127.0.0.1 at a free port until :meth:`close`.

    Pass either ``handler(method, path, params)`` or ``on_request=`` taking a
    :class:`FakeRequest`.
    """

    def __init__(
        self, handler: RequestHandler | None = None, *, on_request: FullHandler | None = None
    ) -> None:
        if on_request is None and handler is not None:
            on_request = _simple(handler)
        elif on_request is None or handler is not None:
            raise TypeError("pass exactly one of handler or on_request")
        self._handler: FullHandler = on_request
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; only while the server runs."""
        if self._server is None:
            raise RuntimeError("the server is not running: call start() or use `with`")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            return
        self._server = _Server(self._handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name="http-fake",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None


class LoopbackApi:
    """What every loopback platform API shares: its server's lifecycle, ``with`` included.

    A subclass sets ``self._server`` (an ``HttpFakeServer``) in its ``__init__``.
    """

    _server: HttpFakeServer

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        self._server.start()

    def close(self) -> None:
        """Stop serving."""
        self._server.close()
