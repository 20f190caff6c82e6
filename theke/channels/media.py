"""Fetching the media customers send, safely, so we can keep it.

The links the platforms give us expire (Messenger's signed CDN links, WhatsApp's after
5 minutes, Telegram's after an hour), so a picture a customer sent is fetched once and
kept in the :class:`MediaStore`. A link comes from a webhook body, so it is treated as
untrusted: it is fetched only from the channel's own media hosts (``MEDIA_HOSTS``), over
https on port 443, never from a private, loopback or link-local address (the cloud
metadata service at 169.254.169.254 included), with at most 3 redirects each checked by
the same rules, and at most ``max_bytes`` (25 MB, Messenger's attachment limit; Telegram
bots get at most 20 MB, WhatsApp up to 100 MB for documents).

DNS rebinding: a name is resolved once, every address it resolves to is checked, and the
connection is made to a checked address — the URL's host is replaced by the address,
with the original ``Host`` header and TLS server name (httpcore's ``sni_hostname``
extension), so the certificate is still verified for the name. A name cannot resolve
to a public address for the check and to a private one for the connection. This holds
for a client without a proxy (the default one); through a proxy, the proxy resolves.

Refusals raise :class:`MediaRefused` with a ``reason``; its message names the host but
never the URL's path or query, which may hold a token (Telegram's bot token).
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Mapping, Sequence
from typing import Literal

import httpx
import structlog

from theke.channels._media_hosts import (
    MEDIA_HOSTS,
    ExtraHosts,
    host_matches,
    is_public,
    literal_ip,
)
from theke.channels._media_store import Fetched, MediaStore, StoredMedia
from theke.errors import ThekeError

__all__ = [
    "MEDIA_HOSTS",
    "Fetched",
    "MediaFetcher",
    "MediaRefused",
    "MediaStore",
    "RefusalReason",
    "StoredMedia",
    "check_url",
]

RefusalReason = Literal[
    "scheme", "host", "private_address", "too_large", "redirect", "http_error", "network"
]

MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEADLINE_SECONDS = 120.0  # a whole fetch, redirects and a slow body included
_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")

_log = structlog.get_logger("theke.channels.media")


class MediaRefused(ThekeError):
    """A media link was not fetched, or not kept: ``reason`` says why.

    ``scheme`` (not https), ``host`` (not a media host of the channel), ``private_address``
    (the host is or resolves to a private, loopback, link-local ... address),
    ``too_large``, ``redirect`` (too many, or a broken one), ``http_error`` (4xx/5xx),
    ``network`` (no answer, a broken connection, too slow).
    """

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason: RefusalReason = reason


def check_url(
    url: str,
    *,
    channel: str,
    hosts: Mapping[str, tuple[str, ...]] = MEDIA_HOSTS,
    extra_hosts: Sequence[str] = (),
) -> None:
    """Raise :class:`MediaRefused` unless ``url`` may be fetched for ``channel``.

    Only what the URL itself shows is checked (no I/O): the scheme, the host and port,
    a literal IP address. ``MediaFetcher.fetch`` also checks what the name resolves to.
    """
    _check(_parse(url), channel, hosts, ExtraHosts(extra_hosts))


class MediaFetcher:
    """Fetches customers' media from the platforms' media hosts, within ``max_bytes``."""

    def __init__(
        self,
        http: httpx.AsyncClient | None,
        *,
        max_bytes: int = 25 * 1024 * 1024,
        extra_hosts: Sequence[str] = (),
        hosts: Mapping[str, tuple[str, ...]] = MEDIA_HOSTS,
    ) -> None:
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=_TIMEOUT, trust_env=False)
        self._max_bytes = max_bytes
        self._extra = ExtraHosts(extra_hosts)
        self._hosts = hosts

    async def fetch(
        self, url: str, *, channel: str, headers: Mapping[str, str] | None = None
    ) -> Fetched:
        """The media at ``url``; ``headers`` (e.g. WhatsApp's bearer token) go to its host.

        The headers are sent again after a redirect on the same origin only.
        """
        own = {name: value for name, value in (headers or {}).items() if name.lower() != "host"}
        try:
            return await self._within_deadline(_parse(url), channel, own)
        except MediaRefused as exc:
            _log.warning("theke.channels.media.refused", channel=channel, reason=exc.reason)
            raise

    async def close(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def _within_deadline(
        self, url: httpx.URL, channel: str, headers: dict[str, str]
    ) -> Fetched:
        try:
            async with asyncio.timeout(_DEADLINE_SECONDS):
                return await self._follow(url, channel, headers)
        except TimeoutError as exc:
            raise MediaRefused(
                "network", f"{_where(url)}: took over {_DEADLINE_SECONDS:.0f} s"
            ) from exc

    async def _follow(self, url: httpx.URL, channel: str, headers: dict[str, str]) -> Fetched:
        for hops in range(MAX_REDIRECTS + 1):
            addresses = await self._admit(url, channel, redirected=hops > 0)
            response = await self._open(url, addresses, headers)
            try:
                if response.status_code not in _REDIRECTS:
                    return await self._read(url, response)
                target = _redirect_target(url, response)
            finally:
                await response.aclose()
            if _origin(target) != _origin(url):
                headers = {}  # a token for one host is not handed to another
            url = target
        raise MediaRefused(
            "redirect", f"more than {MAX_REDIRECTS} redirects, last to {_where(url)}"
        )

    async def _admit(self, url: httpx.URL, channel: str, *, redirected: bool) -> list[str]:
        """The checked addresses to connect to for ``url``."""
        try:
            trusted = _check(url, channel, self._hosts, self._extra)
            return await _resolve(url, trusted=trusted)
        except MediaRefused as exc:
            if not redirected:
                raise
            raise MediaRefused(exc.reason, f"redirected to a refused address: {exc}") from exc

    async def _open(
        self, url: httpx.URL, addresses: list[str], headers: dict[str, str]
    ) -> httpx.Response:
        """A streamed response from the first of ``addresses`` that accepts a connection."""
        failure: httpx.HTTPError | None = None
        for address in addresses:
            request = _pinned_request(self._http, url, address, headers)
            try:
                return await self._http.send(request, stream=True, follow_redirects=False)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # try the next address
                failure = exc
            except httpx.HTTPError as exc:
                raise MediaRefused("network", f"{_where(url)}: {type(exc).__name__}") from exc
        raise MediaRefused("network", f"{_where(url)}: cannot connect") from failure

    async def _read(self, url: httpx.URL, response: httpx.Response) -> Fetched:
        if not 200 <= response.status_code < 300:
            raise MediaRefused("http_error", f"{_where(url)} answered HTTP {response.status_code}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise MediaRefused("too_large", f"{_where(url)}: {declared} bytes, {self._limit()}")
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self._max_bytes:
                    raise MediaRefused("too_large", f"{_where(url)}: {self._limit()}")
        except httpx.HTTPError as exc:
            raise MediaRefused("network", f"{_where(url)}: {type(exc).__name__}") from exc
        return Fetched.of(bytes(body), _mime_type(response.headers.get("content-type", "")))

    def _limit(self) -> str:
        return f"more than the limit of {self._max_bytes} bytes"


def _parse(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:  # e.g. a broken [v6] host
        raise MediaRefused("host", "not a valid address") from exc


def _check(
    url: httpx.URL, channel: str, hosts: Mapping[str, tuple[str, ...]], extra: ExtraHosts
) -> bool:
    """Raise unless ``url`` may be fetched; whether its host is an exact extra host."""
    if url.scheme not in ("https", "http"):
        raise MediaRefused("scheme", f"only https links are fetched, not {url.scheme or 'none'!r}")
    host = url.raw_host.decode("ascii").lower()
    if not host:
        raise MediaRefused("host", "the address has no host")
    if extra.admits(url.host, _port(url)):
        return True
    if url.scheme != "https":
        raise MediaRefused("scheme", f"{_where(url)}: only https links are fetched")
    address = literal_ip(url.host)
    if address is not None and not is_public(address):
        raise MediaRefused("private_address", f"{_where(url)} is a private address")
    patterns = hosts.get(channel, ())
    if url.port is not None or not host_matches(patterns, host, url.path):
        raise MediaRefused("host", f"{_where(url)} is not a media host of {channel}")
    return False


async def _resolve(url: httpx.URL, *, trusted: bool) -> list[str]:
    """Every address the host resolves to; all of them must be public unless ``trusted``."""
    if literal_ip(url.host) is not None:
        return [url.host]
    loop = asyncio.get_running_loop()
    host = url.raw_host.decode("ascii")
    try:
        found = await loop.getaddrinfo(host, _port(url), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise MediaRefused("network", f"{_where(url)} cannot be resolved") from exc
    # A link-local address may carry a zone ("fe80::1%eth0"): dropped, it is never public.
    addresses = list(dict.fromkeys(str(info[4][0]).partition("%")[0] for info in found))
    for address in addresses:
        ip = literal_ip(address)
        if not trusted and (ip is None or not is_public(ip)):
            raise MediaRefused("private_address", f"{_where(url)} resolves to a private address")
    if not addresses:
        raise MediaRefused("network", f"{_where(url)} resolves to no address")
    return addresses


def _pinned_request(
    http: httpx.AsyncClient, url: httpx.URL, address: str, headers: dict[str, str]
) -> httpx.Request:
    """A GET to ``address`` that says, in Host and TLS SNI, it is for ``url``'s host."""
    if literal_ip(url.host) is not None:
        return http.build_request("GET", url, headers=headers)
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
    return http.build_request(
        "GET",
        url.copy_with(host=address),
        headers={**headers, "Host": url.netloc.decode("ascii")},
        extensions=extensions,
    )


def _redirect_target(url: httpx.URL, response: httpx.Response) -> httpx.URL:
    location = response.headers.get("location")
    if not location:
        raise MediaRefused("redirect", f"{_where(url)} redirected without a Location")
    try:
        return url.join(location)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise MediaRefused("redirect", f"{_where(url)} redirected to a broken address") from exc


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _origin(url: httpx.URL) -> tuple[str, bytes, int]:
    return url.scheme, url.raw_host.lower(), _port(url)


def _where(url: httpx.URL) -> str:
    """The scheme and host of ``url``, never its path or query (they may hold tokens)."""
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _mime_type(content_type: str) -> str:
    kind = content_type.partition(";")[0].strip().lower()
    return kind if _MIME.fullmatch(kind) else "application/octet-stream"
