"""E-mail to customers (order confirmations) over SMTP, configured by ``THEKE_SMTP_URL``.

``smtp://user:password@host:587`` upgrades to TLS with STARTTLS when the server
offers it (``?starttls=yes`` insists on it, ``?starttls=no`` never uses it);
``smtps://user:password@host:465`` speaks TLS from the start. The standard
library's :mod:`smtplib` runs in a worker thread, so sending never blocks the
event loop. Failures are :class:`MailError`: ``retryable`` when the server said
"later" (4xx) or could not be reached, not when it refused for good (5xx).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Literal
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import structlog

from theke.errors import ConfigurationError, ThekeError

__all__ = ["Mail", "MailError", "Mailer"]

_log = structlog.get_logger("theke.commerce.mail")

_EXAMPLE = "like smtp://user:password@mail.example.com:587 or smtps://user:password@host:465"
_LOOPBACK = frozenset(("127.0.0.1", "::1", "localhost"))
StartTls = Literal["auto", "yes", "no"]


@dataclass(frozen=True, slots=True)
class Mail:
    """One e-mail: a plain-text body, and optionally the same as HTML."""

    to: str
    subject: str
    text: str
    html: str | None = None


class MailError(ThekeError):
    """An e-mail could not be sent; ``code`` is the SMTP reply code, if the server gave one.

    ``retryable``: sending again later may work (a 4xx reply, no connection);
    otherwise the server refused the mail for good (a 5xx reply, a bad address).
    """

    def __init__(self, message: str, *, retryable: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


@dataclass(frozen=True, slots=True)
class _Server:
    tls: bool
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: StartTls


def _bad_url(url: str, problem: str) -> ConfigurationError:
    """The error for a bad ``THEKE_SMTP_URL``, without its password."""
    password = urlsplit(url).password
    shown = url.replace(f":{password}@", ":***@") if password else url
    return ConfigurationError(f"THEKE_SMTP_URL `{shown}` {problem}: set it {_EXAMPLE}")


def _parse_url(url: str) -> _Server:
    """The server ``url`` names; a :class:`ConfigurationError` saying how to fix it."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise ConfigurationError(f"THEKE_SMTP_URL is not a URL: set it {_EXAMPLE}") from exc
    if parts.scheme not in ("smtp", "smtps"):
        raise _bad_url(url, "must start with smtp:// or smtps://")
    if not parts.hostname:
        raise _bad_url(url, "names no server")
    return _Server(
        tls=parts.scheme == "smtps",
        host=parts.hostname,
        port=_port(url, parts),
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        starttls=_starttls(url, parts.query),
    )


def _port(url: str, parts: SplitResult) -> int:
    """The port, 465 for smtps and 587 (submission) for smtp when none is given.

    Also checks the login part, which shares the address with the port.
    """
    if (parts.username is None) != (parts.password is None):
        raise _bad_url(url, "has a user name without a password")
    if not unquote(parts.netloc).isascii():  # smtplib logs in with ASCII only
        raise _bad_url(url, "has a user name or password with letters beyond ASCII")
    try:
        return parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError as exc:
        raise _bad_url(url, "has a port that is not a number from 1 to 65535") from exc


def _starttls(url: str, query: str) -> StartTls:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        raise _bad_url(url, f"has the unknown option `{unknown[0]}` (only starttls=yes/no)")
    value = options.get("starttls", "auto")
    if value not in ("auto", "yes", "no"):
        raise _bad_url(url, "has starttls=" + value + " (use starttls=yes, no or auto)")
    return "yes" if value == "yes" else "no" if value == "no" else "auto"


def _failure(exc: Exception) -> MailError:
    """The :class:`MailError` for what smtplib or the socket raised."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
        message = f"the server refused the recipient ({code})"
        return MailError(message, retryable=400 <= code < 500, code=code)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        message = f"the server refused the mail ({code})"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            message = f"the server refused the login ({code}): check THEKE_SMTP_URL's password"
        return MailError(message, retryable=400 <= code < 500, code=code)
    if isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError | ConnectionError):
        return MailError(f"the mail server could not be reached: {exc}", retryable=True)
    if isinstance(exc, smtplib.SMTPException):  # e.g. a needed extension is missing
        return MailError(f"the mail server cannot take this mail: {exc}", retryable=False)
    return MailError(f"the mail server could not be reached: {exc}", retryable=True)


class Mailer:
    """Sends :class:`Mail` from ``sender`` through the SMTP server of ``smtp_url``."""

    def __init__(self, smtp_url: str, sender: str, *, timeout: float = 20.0) -> None:
        self._server = _parse_url(smtp_url)
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1]
        if "@" not in self._envelope_from:
            problem = f"THEKE_MAIL_FROM `{sender}` is not an e-mail address"
            raise ConfigurationError(f"{problem}: set it like shop@example.com")
        self._timeout = timeout

    async def send(self, mail: Mail) -> None:
        """Deliver ``mail`` to the server; raises :class:`MailError` when it is not taken."""
        message = self._message(mail)
        try:
            await asyncio.to_thread(self._deliver, message, parseaddr(mail.to)[1])
        except MailError as exc:
            _log.warning("theke.commerce.mail.failed", code=exc.code, retryable=exc.retryable)
            raise
        _log.info("theke.commerce.mail.sent", message_id=message["Message-ID"])

    def _message(self, mail: Mail) -> EmailMessage:
        address = parseaddr(mail.to)[1]
        if "@" not in address or any(char in mail.to for char in "\r\n"):
            raise MailError("the recipient is not an e-mail address", retryable=False)
        message = EmailMessage()
        try:
            message["From"] = self._sender
            message["To"] = mail.to
            message["Subject"] = mail.subject
        except ValueError as exc:  # a line break in a header
            raise MailError(f"the mail's headers are not valid: {exc}", retryable=False) from exc
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain=self._envelope_from.rpartition("@")[2])
        message.set_content(mail.text)
        if mail.html is not None:
            message.add_alternative(mail.html, subtype="html")
        return message

    def _deliver(self, message: EmailMessage, to: str) -> None:
        try:
            with self._connect() as smtp:
                secure = self._server.tls or self._secure(smtp)
                self._login(smtp, secure=secure)
                smtp.send_message(message, from_addr=self._envelope_from, to_addrs=[to])
        except MailError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            raise _failure(exc) from exc

    def _connect(self) -> smtplib.SMTP:
        server = self._server
        if server.tls:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(
                server.host, server.port, timeout=self._timeout, context=context
            )
        return smtplib.SMTP(server.host, server.port, timeout=self._timeout)

    def _secure(self, smtp: smtplib.SMTP) -> bool:
        """Upgrade to TLS with STARTTLS as the URL says; whether the connection is encrypted."""
        smtp.ehlo()
        if self._server.starttls == "no":
            return False
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            return True
        if self._server.starttls == "yes":
            raise MailError("the mail server offers no STARTTLS (starttls=yes)", retryable=False)
        return False

    def _login(self, smtp: smtplib.SMTP, *, secure: bool) -> None:
        server = self._server
        if server.username is None or server.password is None:
            return
        if not secure and server.starttls == "auto" and server.host not in _LOOPBACK:
            problem = "the mail server offers no STARTTLS, so the password would go unencrypted"
            fix = "use smtps://, or add ?starttls=no to THEKE_SMTP_URL if that is intended"
            raise MailError(f"{problem}: {fix}", retryable=False)
        smtp.login(server.username, server.password)
