"""Customers' media is fetched only from the platforms' media hosts, within a size limit, and kept.

The media host here is a real HTTP server on 127.0.0.1, let in as an exact extra host,
the way a self-hosted fake of a platform is.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import free_port
from theke.channels.media import (
    Fetched,
    MediaFetcher,
    MediaRefused,
    MediaStore,
    check_url,
)
from theke.errors import ConfigurationError

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a JPEG's first bytes, 10 KB
LIMIT = 16 * 1024

Route = Callable[[BaseHTTPRequestHandler], None]


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def photo(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, 200, PHOTO, Content_Type="image/jpeg", Content_Length=str(len(PHOTO)))


def declared_too_big(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, 200, b"x" * 100, Content_Type="video/mp4", Content_Length=str(LIMIT + 1))


def exactly_the_limit(handler: BaseHTTPRequestHandler) -> None:
    _send(handler, 200, b"a" * LIMIT, Content_Type="audio/ogg; codecs=opus")


def endless(handler: BaseHTTPRequestHandler) -> None:
    """No Content-Length (HTTP/1.0: the body ends when the connection does) that never ends."""
    _send(handler, 200, b"", Content_Type="video/mp4")
    for _ in range(100_000):  # 6 GB, far more than any client should read
        handler.wfile.write(b"v" * 65536)


def endless_chunked(handler: BaseHTTPRequestHandler) -> None:
    handler.protocol_version = "HTTP/1.1"
    _send(handler, 200, b"", Content_Type="video/mp4", Transfer_Encoding="chunked")
    for _ in range(100_000):
        handler.wfile.write(b"10000\r\n" + b"c" * 65536 + b"\r\n")


def hop(handler: BaseHTTPRequestHandler) -> None:
    """``/hop/N`` redirects to ``/hop/N-1``; ``/hop/0`` is the photo."""
    left = int(handler.path.rsplit("/", 1)[1])
    if left == 0:
        photo(handler)
    else:
        _send(handler, 302, b"", Location=f"/hop/{left - 1}")


def redirect(handler: BaseHTTPRequestHandler) -> None:
    """``/to?location=...`` redirects there."""
    location = parse_qs(urlsplit(handler.path).query)["location"][0]
    _send(handler, 302, b"", Location=location)


class Origin:
    """A media host on 127.0.0.1: routes by path, records each request's path and headers."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.routes: dict[str, Route] = {
            "/photo.jpg": photo,
            "/declared-too-big": declared_too_big,
            "/exactly-the-limit": exactly_the_limit,
            "/endless": endless,
            "/endless-chunked": endless_chunked,
            "/hop": hop,
            "/to": redirect,
            "/missing": lambda h: _send(h, 404, b'{"error": "not found"}'),
            "/broken": lambda h: _send(h, 500, b"oops"),
            "/not-modified": lambda h: _send(h, 304, b""),
        }
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,))

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def __enter__(self) -> Origin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                origin.requests.append((self.path, dict(self.headers.items())))
                path = urlsplit(self.path).path
                route = origin.routes.get(path) or origin.routes.get(path.rsplit("/", 1)[0])
                try:
                    (route or (lambda h: _send(h, 404, b"")))(self)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the client stopped reading: that is the point of some tests

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def origin() -> Iterator[Origin]:
    with Origin() as server:
        yield server


@pytest.fixture
def other() -> Iterator[Origin]:
    """A second server, not let in: it must never be asked for anything."""
    with Origin() as server:
        yield server


async def refusal(fetcher: MediaFetcher, url: str, channel: str = "messenger") -> MediaRefused:
    with pytest.raises(MediaRefused) as caught:
        await asyncio.wait_for(fetcher.fetch(url, channel=channel), 20)
    await fetcher.close()
    return caught.value


def fetcher_for(*origins: Origin, max_bytes: int = LIMIT) -> MediaFetcher:
    return MediaFetcher(None, max_bytes=max_bytes, extra_hosts=[o.host for o in origins])


# Fetching


async def test_a_picture_from_an_extra_host_is_fetched_whole(origin: Origin) -> None:
    fetcher = fetcher_for(origin)
    fetched = await fetcher.fetch(
        origin.url("/photo.jpg"), channel="whatsapp", headers={"Authorization": "Bearer T"}
    )
    await fetcher.close()
    assert fetched == Fetched(PHOTO, "image/jpeg", hashlib.sha256(PHOTO).hexdigest())
    assert origin.requests[0][1]["Authorization"] == "Bearer T"


class Recording(httpx.AsyncHTTPTransport):
    """httpx's own transport, noting where each request really went."""

    def __init__(self, verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(verify=verify)
        self.hosts: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        return await super().handle_async_request(request)


async def test_a_name_is_connected_by_its_checked_address_but_asked_by_name(
    origin: Origin,
) -> None:
    transport = Recording()
    async with httpx.AsyncClient(transport=transport) as http:
        fetcher = MediaFetcher(http, extra_hosts=[f"localhost:{origin.port}"])
        fetched = await fetcher.fetch(f"http://localhost:{origin.port}/photo.jpg", channel="x")
    assert fetched.data == PHOTO
    assert set(transport.hosts) <= {"127.0.0.1", "::1"}  # ::1 is tried first on some hosts
    assert origin.requests[0][1]["Host"] == f"localhost:{origin.port}"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name ``localhost`` only: its key and itself."""
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


async def test_https_to_the_checked_address_verifies_the_certificate_of_the_name(
    certificate: tuple[Path, Path],
) -> None:
    key, cert = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    with Origin(tls=server_tls) as server:
        transport = Recording(verify=ssl.create_default_context(cafile=cert))
        async with httpx.AsyncClient(transport=transport) as http:
            fetcher = MediaFetcher(http, extra_hosts=[f"localhost:{server.port}"])
            url = f"https://localhost:{server.port}/photo.jpg"
            fetched = await fetcher.fetch(url, channel="x")
    assert fetched.data == PHOTO
    # Connected to the address, yet the certificate (for "localhost" only) was accepted.
    assert transport.hosts[-1] == "127.0.0.1"


async def test_a_file_of_exactly_the_limit_is_fetched(origin: Origin) -> None:
    fetcher = fetcher_for(origin)
    fetched = await fetcher.fetch(origin.url("/exactly-the-limit"), channel="messenger")
    await fetcher.close()
    assert len(fetched.data) == LIMIT
    assert fetched.mime_type == "audio/ogg"


async def test_a_declared_length_over_the_limit_is_refused(origin: Origin) -> None:
    refused = await refusal(fetcher_for(origin), origin.url("/declared-too-big"))
    assert refused.reason == "too_large"
    assert str(LIMIT) in str(refused)


@pytest.mark.parametrize("path", ["/endless", "/endless-chunked"])
async def test_a_body_without_length_is_cut_off_at_the_limit(origin: Origin, path: str) -> None:
    refused = await refusal(fetcher_for(origin), origin.url(path))
    assert refused.reason == "too_large"


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
async def test_an_error_answer_is_refused(origin: Origin, path: str, status: int) -> None:
    refused = await refusal(fetcher_for(origin), origin.url(path))
    assert refused.reason == "http_error"
    assert str(status) in str(refused)


async def test_a_host_that_does_not_answer_is_a_network_refusal() -> None:
    port = free_port()
    fetcher = MediaFetcher(None, extra_hosts=[f"127.0.0.1:{port}"])
    refused = await refusal(fetcher, f"http://127.0.0.1:{port}/photo.jpg")
    assert refused.reason == "network"


# Redirects


async def test_three_redirects_are_followed(origin: Origin) -> None:
    fetcher = fetcher_for(origin)
    fetched = await fetcher.fetch(origin.url("/hop/3"), channel="messenger")
    await fetcher.close()
    assert fetched.data == PHOTO
    assert [path for path, _ in origin.requests] == ["/hop/3", "/hop/2", "/hop/1", "/hop/0"]


async def test_a_fourth_redirect_is_refused(origin: Origin) -> None:
    refused = await refusal(fetcher_for(origin), origin.url("/hop/4"))
    assert refused.reason == "redirect"
    assert len(origin.requests) == 4  # /hop/0 never asked


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("https://169.254.169.254/latest/meta-data/", "private_address"),
        ("https://10.0.0.1/photo.jpg", "private_address"),
        ("https://[::ffff:127.0.0.1]/photo.jpg", "private_address"),
        ("https://evil.example/photo.jpg", "host"),
        ("ftp://scontent.xx.fbcdn.net/photo.jpg", "scheme"),
    ],
)
async def test_a_redirect_to_a_refused_place_is_not_followed(
    origin: Origin, location: str, reason: str
) -> None:
    refused = await refusal(fetcher_for(origin), origin.url(f"/to?location={location}"))
    assert refused.reason == reason
    assert "redirected" in str(refused)


async def test_a_redirect_to_another_loopback_port_is_never_asked(
    origin: Origin, other: Origin
) -> None:
    for location in (f"https://{other.host}/photo.jpg", f"http://{other.host}/photo.jpg"):
        refused = await refusal(fetcher_for(origin), origin.url(f"/to?location={location}"))
        assert refused.reason in {"private_address", "scheme"}
    assert other.requests == []


async def test_a_redirect_status_that_is_no_redirect_is_an_error(origin: Origin) -> None:
    refused = await refusal(fetcher_for(origin), origin.url("/not-modified"))
    assert refused.reason == "http_error"


async def test_the_token_goes_to_the_same_host_only(origin: Origin, other: Origin) -> None:
    fetcher = fetcher_for(origin, other)
    token = {"Authorization": "Bearer WA-TOKEN"}
    await fetcher.fetch(
        origin.url(f"/to?location={other.url('/photo.jpg')}"), channel="x", headers=token
    )
    await fetcher.fetch(origin.url("/hop/1"), channel="x", headers=token)
    await fetcher.close()
    assert "Authorization" not in other.requests[0][1]
    assert origin.requests[-1][1]["Authorization"] == "Bearer WA-TOKEN"


# What a link itself shows: checked without I/O


@pytest.mark.parametrize(
    ("channel", "url"),
    [
        ("messenger", "https://scontent.xx.fbcdn.net/v/t1.15752-9/123_n.jpg?oh=ab&oe=66"),
        ("messenger", "https://video.xx.fbcdn.net/v/t42.3356-2/clip.mp4"),
        ("messenger", "https://cdn.fbsbx.com/v/t59.2708-21/file.pdf"),
        ("messenger", "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1"),
        ("whatsapp", "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2"),
        ("whatsapp", "https://mmg.whatsapp.net/d/f/abc.enc"),
        ("telegram", "https://api.telegram.org/file/bot123:ABC/photos/file_0.jpg"),
        ("messenger", "https://SCONTENT.XX.FBCDN.NET./x.jpg"),
    ],
)
def test_the_platforms_media_hosts_are_allowed(channel: str, url: str) -> None:
    check_url(url, channel=channel)


@pytest.mark.parametrize(
    ("channel", "url", "reason"),
    [
        ("messenger", "http://scontent.xx.fbcdn.net/x.jpg", "scheme"),
        ("messenger", "ftp://scontent.xx.fbcdn.net/x.jpg", "scheme"),
        ("messenger", "file:///etc/passwd", "scheme"),
        ("messenger", "scontent.xx.fbcdn.net/x.jpg", "scheme"),
        ("messenger", "https://fbcdn.net/x.jpg", "host"),
        ("messenger", "https://evilfbcdn.net/x.jpg", "host"),
        ("messenger", "https://scontent.fbcdn.net.evil.example/x.jpg", "host"),
        ("messenger", "https://scontent.fbcdn.net@evil.example/x.jpg", "host"),
        ("messenger", "https://scontent.xx.fbcdn.net:8443/x.jpg", "host"),
        ("messenger", "https://api.telegram.org/file/bot1:A/x.jpg", "host"),
        ("whatsapp", "https://scontent.xx.fbcdn.net/x.jpg", "host"),
        ("telegram", "https://api.telegram.org/bot123:ABC/logOut", "host"),
        ("telegram", "https://api.telegram.org/file/bot1:A/%2e%2e/%2E%2E/bot1:A/logOut", "host"),
        ("telegram", "https://api.telegram.org/file/bot1:A/../../bot1:A/logOut", "host"),
        ("instagram", "https://scontent.xx.fbcdn.net/x.jpg", "host"),
        ("messenger", "https://8.8.8.8/x.jpg", "host"),
        ("messenger", "https://[2a03:2880:f12f:83:face:b00c:0:25de]/x.jpg", "host"),
        ("messenger", "https://[zz]/x.jpg", "host"),
        ("messenger", "https:///x.jpg", "host"),
    ],
)
def test_links_off_the_channels_media_hosts_are_refused(
    channel: str, url: str, reason: str
) -> None:
    with pytest.raises(MediaRefused) as caught:
        check_url(url, channel=channel)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x.jpg",
        "https://127.1.2.3/x.jpg",
        "https://10.0.0.1/x.jpg",
        "https://172.16.5.4/x.jpg",
        "https://192.168.1.1/x.jpg",
        "https://100.64.0.1/x.jpg",  # carrier-grade NAT
        "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "https://0.0.0.0/x.jpg",
        "https://224.0.0.1/x.jpg",
        "https://240.0.0.1/x.jpg",
        "https://[::1]/x.jpg",
        "https://[::]/x.jpg",
        "https://[fe80::1]/x.jpg",
        "https://[fd00::1]/x.jpg",
        "https://[ff02::1]/x.jpg",
        "https://[::ffff:127.0.0.1]/x.jpg",  # IPv4-mapped
        "https://[::ffff:a9fe:a9fe]/x.jpg",  # 169.254.169.254, mapped
        "https://[2002:7f00:1::]/x.jpg",  # 6to4 of 127.0.0.1
        "https://[64:ff9b::a00:1]/x.jpg",  # NAT64 of 10.0.0.1
    ],
)
async def test_private_addresses_are_never_fetched(url: str) -> None:
    with pytest.raises(MediaRefused) as caught:
        check_url(url, channel="messenger")
    assert caught.value.reason == "private_address"
    assert (await refusal(MediaFetcher(None), url)).reason == "private_address"


async def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    fetcher = MediaFetcher(None, hosts={"shop": ("localhost",)})
    check_url("https://localhost/x.jpg", channel="shop", hosts={"shop": ("localhost",)})
    refused = await refusal(fetcher, "https://localhost/x.jpg", channel="shop")
    assert refused.reason == "private_address"


async def test_http_is_refused_for_a_host_that_is_not_an_extra_one(origin: Origin) -> None:
    fetcher = MediaFetcher(None, hosts={"shop": ("localhost",)})
    refused = await refusal(fetcher, f"http://localhost:{origin.port}/photo.jpg", channel="shop")
    assert refused.reason == "scheme"
    assert origin.requests == []


def test_a_refusal_never_names_the_token_in_the_path() -> None:
    with pytest.raises(MediaRefused) as caught:
        check_url("http://api.telegram.org/file/bot123:SECRET/x.jpg", channel="telegram")
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("entry", ["http://127.0.0.1:80/", "127.0.0.1:port", "", "a/b"])
def test_an_extra_host_must_be_a_host_or_host_and_port(entry: str) -> None:
    with pytest.raises(ConfigurationError):
        MediaFetcher(None, extra_hosts=[entry])


_NOWHERE = {"fuzz": ("*.theke-fuzz.invalid",)}
_url_like = st.builds(
    "{}://{}{}{}".format,
    st.sampled_from(["https", "http", "HTTPS", "ftp", "", "javascript"]),
    st.one_of(
        st.text(max_size=30),
        st.ip_addresses(v=4).map(str),
        st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
        st.sampled_from(["localhost", "scontent.xx.fbcdn.net", "[::ffff:7f00:1]", "2130706433"]),
    ),
    st.one_of(st.just(""), st.integers(-5, 70000).map(lambda port: f":{port}")),
    st.text(max_size=30),
)


@settings(deadline=None)
@given(st.one_of(st.text(), _url_like))
def test_any_link_is_refused_before_any_connection(url: str) -> None:
    asked: list[httpx.Request] = []

    def offline(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        raise AssertionError("no request may be made")

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(offline)) as http:
            await MediaFetcher(http, hosts=_NOWHERE).fetch(url, channel="fuzz")

    with pytest.raises(MediaRefused) as caught:
        asyncio.run(fetch())
    assert caught.value.reason in {"scheme", "host", "private_address"}
    assert asked == []


# Keeping it


def files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


async def test_fetched_media_is_stored_by_its_hash_readable_by_us_only(
    origin: Origin, tmp_path: Path
) -> None:
    fetcher = fetcher_for(origin)
    fetched = await fetcher.fetch(origin.url("/photo.jpg"), channel="messenger")
    await fetcher.close()
    store = MediaStore(tmp_path / "media")
    stored = await store.put(fetched)
    digest = hashlib.sha256(PHOTO).hexdigest()
    assert stored.path == tmp_path / "media" / digest[:2] / digest[2:]
    assert (stored.sha256, stored.mime_type, stored.size) == (digest, "image/jpeg", len(PHOTO))
    assert stored.path.stat().st_mode & 0o777 == 0o600
    with store.open(digest) as file:
        assert file.read() == PHOTO
    assert store.get(digest) == stored


async def test_storing_the_same_file_twice_keeps_one(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    first = await store.put(Fetched.of(PHOTO, "image/jpeg"))
    second = await store.put(Fetched.of(PHOTO, "image/png"))
    assert second == first
    assert sorted(p.name for p in first.path.parent.iterdir()) == [
        first.path.name,
        first.path.name + ".json",
    ]


async def test_a_hash_not_of_the_data_is_not_stored(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        await MediaStore(tmp_path).put(Fetched(PHOTO, "image/jpeg", "0" * 64))
    assert files(tmp_path) == []


@pytest.mark.parametrize("sha256", ["0" * 64, "../../etc/passwd", "AB" * 32, ""])
def test_unknown_or_malformed_hashes_are_not_found(tmp_path: Path, sha256: str) -> None:
    store = MediaStore(tmp_path)
    assert store.get(sha256) is None
    with pytest.raises(FileNotFoundError):
        store.open(sha256)
