"""A loopback SMTP server for tests (standard library only).

:class:`SmtpServer` listens on 127.0.0.1 at a free port in a background thread and
speaks the part of SMTP a mail client uses: ``EHLO``/``HELO``, ``AUTH PLAIN`` and
``AUTH LOGIN`` (when constructed with a user name and password; a wrong one gets
535), ``MAIL FROM``, ``RCPT TO``, ``DATA``, ``RSET``, ``NOOP`` and ``QUIT``. It
enforces its ``SIZE`` limit (552) and the order of commands (503), and
:meth:`SmtpServer.fail_next` makes it answer the next transactions with an error
code, as a real server does when it is busy (421, 451) or refuses (550).
Accepted mail is kept in :attr:`SmtpServer.messages`, parsed, with its envelope.
"""

from __future__ import annotations

import base64
import binascii
import re
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from types import TracebackType
from typing import Literal, Self
from urllib.parse import quote

__all__ = ["FailAt", "ReceivedMessage", "SmtpServer"]

FailAt = Literal["connect", "mail", "rcpt", "data"]
_POLL_SECONDS = 0.02
_MAX_LINE = 4096
_MAX_RECIPIENTS = 100
_PATH = re.compile(r"(?i)(?:FROM|TO): ?<([^<>]*)>((?: [A-Za-z0-9-]+(?:=\S+)?)*)")
_TEXTS = {
    421: "4.3.2 Service not available, closing transmission channel",
    450: "4.2.1 Mailbox unavailable, try again later",
    451: "4.3.0 Local error in processing",
    452: "4.5.3 Insufficient system storage",
    550: "5.1.1 Mailbox unavailable",
    552: "5.3.4 Message size exceeds fixed maximum message size",
    553: "5.1.3 Mailbox name not allowed",
    554: "5.7.1 Transaction failed",
}


class ReceivedMessage(EmailMessage):
    """An accepted e-mail, with the envelope it came in."""

    envelope_from: str = ""
    envelope_rcpt: tuple[str, ...] = ()


@dataclass
class _Failure:
    code: int
    at: FailAt
    times: int


@dataclass
class _State:
    """The server's shared record: accepted mail, logins, and the failures to come."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list[ReceivedMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)

    def take_failure(self, at: FailAt) -> int | None:
        """The code to fail with at ``at``, if one is due (it is used up)."""
        with self.lock:
            for failure in self.failures:
                if failure.at == at:
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return failure.code
        return None


class SmtpServer:
    """A loopback SMTP server; use it as a context manager (or call start and close).

    ``username``/``password``: clients must log in with them before ``MAIL FROM``.
    ``size_limit``: the largest message in bytes (advertised as ``SIZE``).
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        size_limit: int = 10_000_000,
        hostname: str = "smtp.fake.test",
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.username = username
        self.password = password
        self.size_limit = size_limit
        self.hostname = hostname
        self._state = _State()
        self._server: _TcpServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Listen on 127.0.0.1 at a free port."""
        server = _TcpServer(self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": _POLL_SECONDS}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop listening and wait for the server thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The port it listens on; only while it runs."""
        if self._server is None:
            raise RuntimeError("the server is not running: call start() or use `with`")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """A ``THEKE_SMTP_URL`` for this server (with its login, without STARTTLS)."""
        login = ""
        if self.username is not None and self.password is not None:
            login = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}@"
        return f"smtp://{login}127.0.0.1:{self.port}?starttls=no"

    @property
    def messages(self) -> list[ReceivedMessage]:
        """The accepted messages, oldest first."""
        with self._state.lock:
            return list(self._state.messages)

    @property
    def logins(self) -> list[str]:
        """The user names of successful logins, in order."""
        with self._state.lock:
            return list(self._state.logins)

    def fail_next(self, code: int, times: int = 1, *, at: FailAt = "rcpt") -> None:
        """Answer the next ``times`` transactions with ``code`` at ``at``.

        ``connect``: the greeting; ``mail``/``rcpt``: that command; ``data``: the end
        of the message. A 421 also closes the connection, as real servers do.
        """
        if not 400 <= code < 600:
            raise ValueError("fail with a 4xx or 5xx code")
        with self._state.lock:
            self._state.failures.append(_Failure(code, at, times))

    @property
    def state(self) -> _State:
        """The shared record, for the connection handlers."""
        return self._state


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: SmtpServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner


class _Handler(socketserver.StreamRequestHandler):
    server: _TcpServer

    def handle(self) -> None:
        _Session(self.server.owner, self.rfile.readline, self.wfile.write).run()


class _Quit(Exception):
    """The session ends: the client said QUIT, went away, or the server hung up."""


@dataclass
class _Transaction:
    sender: str | None = None
    recipients: list[str] = field(default_factory=list)


class _Session:
    """One client connection, command by command."""

    def __init__(
        self, owner: SmtpServer, readline: Callable[[int], bytes], write: Callable[[bytes], object]
    ) -> None:
        self._owner = owner
        self._readline = readline
        self._write = write
        self._greeted = False
        self._user: str | None = None
        self._mail = _Transaction()
        self._commands: dict[str, Callable[[str], None]] = {
            "EHLO": self._ehlo,
            "HELO": self._helo,
            "AUTH": self._auth,
            "MAIL": self._mail_from,
            "RCPT": self._rcpt_to,
            "DATA": self._data,
            "RSET": self._rset,
            "NOOP": lambda _: self._reply(250, "2.0.0 Ok"),
            "QUIT": self._quit,
        }

    def run(self) -> None:
        try:
            if self._fail_if_due("connect"):
                return  # a server that refuses at the greeting hangs up
            self._reply(220, f"{self._owner.hostname} ESMTP fake")
            while True:
                verb, _, argument = self._line().partition(" ")
                command = self._commands.get(verb.upper())
                if command is None:
                    self._reply(502, "5.5.2 Command not recognized")
                else:
                    command(argument.strip())
        except (_Quit, OSError):
            return

    def _line(self) -> str:
        raw = self._readline(_MAX_LINE + 1)
        if not raw:
            raise _Quit
        if len(raw) > _MAX_LINE:
            self._reply(500, "5.5.2 Line too long")
            raise _Quit
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    def _reply(self, code: int, *lines: str) -> None:
        texts = lines or (_TEXTS.get(code, "Error"),)
        out = [f"{code}-{text}" for text in texts[:-1]] + [f"{code} {texts[-1]}"]
        self._write(("\r\n".join(out) + "\r\n").encode("utf-8"))

    def _fail_if_due(self, at: FailAt) -> bool:
        code = self._owner.state.take_failure(at)
        if code is None:
            return False
        self._reply(code)
        if code == 421:
            raise _Quit
        return True

    def _ehlo(self, argument: str) -> None:
        if not argument:
            self._reply(501, "5.5.4 Syntax: EHLO hostname")
            return
        self._greeted, self._mail = True, _Transaction()
        extensions = [f"SIZE {self._owner.size_limit}", "8BITMIME", "SMTPUTF8"]
        if self._owner.username is not None:
            extensions.append("AUTH PLAIN LOGIN")
        self._reply(250, self._owner.hostname, *extensions)

    def _helo(self, argument: str) -> None:
        if not argument:
            self._reply(501, "5.5.4 Syntax: HELO hostname")
            return
        self._greeted, self._mail = True, _Transaction()
        self._reply(250, self._owner.hostname)

    def _auth(self, argument: str) -> None:
        mechanism, _, initial = argument.partition(" ")
        if self._owner.username is None:
            self._reply(502, "5.5.1 AUTH not supported")
        elif not self._greeted or self._user is not None or self._mail.sender is not None:
            self._reply(503, "5.5.1 Bad sequence of commands")
        elif mechanism.upper() == "PLAIN":
            self._check_login(*self._plain(initial))
        elif mechanism.upper() == "LOGIN":
            self._check_login(*self._login(initial))
        else:
            self._reply(504, "5.5.4 Unrecognized authentication type")

    def _plain(self, initial: str) -> tuple[str, str] | tuple[()]:
        if not initial:
            self._reply(334, "")
            initial = self._line()
        parts = self._decode(initial).split("\0")
        return (parts[1], parts[2]) if len(parts) == 3 else ()

    def _login(self, initial: str) -> tuple[str, str] | tuple[()]:
        if not initial:
            self._reply(334, "VXNlcm5hbWU6")
            initial = self._line()
        user = self._decode(initial)
        self._reply(334, "UGFzc3dvcmQ6")
        return user, self._decode(self._line())

    def _decode(self, text: str) -> str:
        try:
            return base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "\0\0\0\0"  # a login that matches no user

    def _check_login(self, *login: str) -> None:
        if login != (self._owner.username, self._owner.password):
            self._reply(535, "5.7.8 Authentication credentials invalid")
            return
        self._user = login[0]
        with self._owner.state.lock:
            self._owner.state.logins.append(login[0])
        self._reply(235, "2.7.0 Authentication successful")

    def _mail_from(self, argument: str) -> None:
        found = _PATH.fullmatch(argument)
        if not self._greeted or self._mail.sender is not None:
            self._reply(503, "5.5.1 Bad sequence of commands")
        elif self._owner.username is not None and self._user is None:
            self._reply(530, "5.7.0 Authentication required")
        elif found is None or not argument.upper().startswith("FROM:"):
            self._reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
        elif _declared_size(found.group(2)) > self._owner.size_limit:
            self._reply(552)
        elif not self._fail_if_due("mail"):
            self._mail.sender = found.group(1)
            self._reply(250, "2.1.0 Ok")

    def _rcpt_to(self, argument: str) -> None:
        found = _PATH.fullmatch(argument)
        if self._mail.sender is None:
            self._reply(503, "5.5.1 Need MAIL before RCPT")
        elif found is None or not argument.upper().startswith("TO:") or not found.group(1):
            self._reply(501, "5.5.4 Syntax: RCPT TO:<address>")
        elif len(self._mail.recipients) >= _MAX_RECIPIENTS:
            self._reply(452, "4.5.3 Too many recipients")
        elif not self._fail_if_due("rcpt"):
            self._mail.recipients.append(found.group(1))
            self._reply(250, "2.1.5 Ok")

    def _data(self, argument: str) -> None:
        if self._mail.sender is None or not self._mail.recipients:
            self._reply(503, "5.5.1 Need RCPT before DATA")
            return
        self._reply(354, "End data with <CR><LF>.<CR><LF>")
        data, too_big = self._read_data()
        transaction, self._mail = self._mail, _Transaction()
        if too_big:
            self._reply(552)
        elif not self._fail_if_due("data"):
            self._keep(data, transaction)

    def _read_data(self) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            line = self._readline(-1)
            if not line:
                raise _Quit
            if line in (b".\r\n", b".\n"):
                return b"".join(chunks), size > self._owner.size_limit
            line = line[1:] if line.startswith(b".") else line
            size += len(line)
            if size <= self._owner.size_limit:  # kept with \n endings, as a mailbox keeps it
                chunks.append(line[:-2] + b"\n" if line.endswith(b"\r\n") else line)

    def _keep(self, data: bytes, transaction: _Transaction) -> None:
        message = BytesParser(ReceivedMessage, policy=default).parsebytes(data)
        if not isinstance(message, ReceivedMessage):  # the parser makes one of _class
            raise TypeError("the parser did not make a ReceivedMessage")
        message.envelope_from = transaction.sender or ""
        message.envelope_rcpt = tuple(transaction.recipients)
        with self._owner.state.lock:
            self._owner.state.messages.append(message)
            number = len(self._owner.state.messages)
        self._reply(250, f"2.0.0 Ok: queued as {number}")

    def _rset(self, argument: str) -> None:
        self._mail = _Transaction()
        self._reply(250, "2.0.0 Ok")

    def _quit(self, argument: str) -> None:
        self._reply(221, "2.0.0 Bye")
        raise _Quit


def _declared_size(parameters: str) -> int:
    """The ``SIZE=`` a client declared in ``MAIL FROM``, or 0."""
    for parameter in parameters.split():
        name, _, value = parameter.partition("=")
        if name.upper() == "SIZE" and value.isdigit():
            return int(value)
    return 0
