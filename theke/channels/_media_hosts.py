"""Where customers' media may be fetched from, and which addresses are never fetched.

The platforms hand us a link to what a customer sent, on their own CDN:

- Messenger puts a ``payload.url`` into each attachment of the webhook: pictures on
  ``scontent.xx.fbcdn.net`` (``/v/t1.15752-9/...``), videos on ``video.xx.fbcdn.net``,
  files and voice messages on ``cdn.fbsbx.com`` (links seen in Messenger webhooks, e.g.
  microsoft/botframework-sdk#990); redirects go through ``*.facebook.com``. The links are
  signed and expire (``oe=`` in the query), so we keep a copy.
- WhatsApp's webhook carries only a media id; ``GET graph.facebook.com/<id>`` answers a
  ``url`` on ``https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=...``, valid
  for 5 minutes and fetched with the same ``Authorization: Bearer`` token (Cloud API
  "Retrieve media URL" / "Download media"). Older numbers still answer from
  ``*.whatsapp.net``. Cloud API media can be up to 100 MB.
- Telegram's ``getFile`` answers a ``file_path`` fetched from
  ``https://api.telegram.org/file/bot<token>/<file_path>``, valid for at least an hour,
  at most 20 MB for bots. Only that path is allowed: a GET on ``/bot<token>/<method>``
  would *call* the method.

A pattern is a host name (``lookaside.fbsbx.com``), or ``*.`` and a domain for any name
below it (``*.fbcdn.net`` matches ``scontent.xx.fbcdn.net``, not ``fbcdn.net``), with an
optional path prefix the URL's path must start with (``api.telegram.org/file/bot``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from theke.errors import ConfigurationError

__all__ = ["MEDIA_HOSTS", "ExtraHosts", "IPAddress", "host_matches", "is_public", "literal_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MEDIA_HOSTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # *.fbsbx.com includes lookaside.fbsbx.com and cdn.fbsbx.com.
        "messenger": ("*.fbcdn.net", "*.fbsbx.com", "*.facebook.com"),
        "whatsapp": ("lookaside.fbsbx.com", "*.fbsbx.com", "*.whatsapp.net", "graph.facebook.com"),
        "telegram": ("api.telegram.org/file/bot",),
    }
)
"""Per channel, the host patterns customers' media is fetched from."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def host_matches(patterns: Iterable[str], host: str, path: str) -> bool:
    """Whether ``host`` (lower case, IDNA-encoded) and ``path`` match one of ``patterns``."""
    host = host.rstrip(".")
    return any(_matches(pattern, host, path) for pattern in patterns)


def _matches(pattern: str, host: str, path: str) -> bool:
    name, slash, prefix = pattern.partition("/")
    if slash and (not path.startswith(slash + prefix) or _climbs(path)):
        return False
    if name.startswith("*."):
        domain = name[1:]  # ".fbcdn.net"
        return host.endswith(domain) and len(host) > len(domain)
    return host == name


def _climbs(path: str) -> bool:
    """Whether a path has ``.`` or ``..`` segments (also percent-encoded): a server that
    resolves them could lead a path-prefixed host out of its prefix."""
    segments = unquote(path).split("/")
    return any(segment in (".", "..") for segment in segments)


def literal_ip(host: str) -> IPAddress | None:
    """The address when ``host`` is written as an IP address, else ``None``."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a globally routable unicast address, safe to fetch from.

    Refused: loopback, private (RFC 1918, fc00::/7), carrier-grade NAT, link-local (with
    the cloud metadata service at 169.254.169.254), multicast, reserved, unspecified,
    documentation ranges; and IPv6 addresses that carry such an IPv4 address inside
    (IPv4-mapped ``::ffff:127.0.0.1``, 6to4, Teredo). NAT64 (64:ff9b::/96) is judged by
    the IPv4 address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        inner = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
        if any(ip is not None and not is_public(ip) for ip in inner):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


class ExtraHosts:
    """Exact ``host:port`` or ``host`` entries let in besides a channel's patterns.

    This is how tests and self-hosted fakes of a platform are reached: such an entry may
    use plain http and may point at a loopback or private address. A bare ``host`` admits
    any port of it.
    """

    def __init__(self, entries: Sequence[str]) -> None:
        self._entries = frozenset(_parse_entry(entry) for entry in entries)

    def admits(self, host: str, port: int) -> bool:
        name = _normal_host(host)
        return (name, port) in self._entries or (name, None) in self._entries


def _parse_entry(entry: str) -> tuple[str, int | None]:
    parts = urlsplit("//" + entry.strip())
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"extra media host {entry!r}: the port is not valid") from exc
    if not parts.hostname or parts.path or parts.query or parts.username:
        raise ConfigurationError(
            f"extra media host {entry!r}: write a host or host:port, e.g. 127.0.0.1:8080"
        )
    return _normal_host(parts.hostname), port


def _normal_host(host: str) -> str:
    address = literal_ip(host.strip("[]"))
    return str(address) if address is not None else host.lower().rstrip(".")
