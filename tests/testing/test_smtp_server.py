"""The loopback SMTP server speaks SMTP the way mail servers do, to smtplib and to raw sockets."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from theke.testing.smtp_server import SmtpServer

USER = "shop"
PASSWORD = "geheim: 1/2"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer(username=USER, password=PASSWORD, size_limit=20_000) as running:
        yield running


def _message(subject: str = "Bestellung SC-000001 – danke!", body: str = "Grüße\n") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "shop@sohle.example"
    message["To"] = "kundin@example.com"
    message["Subject"] = subject
    message.set_content(body)
    return message


def _client(server: SmtpServer, *, login: bool = True) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", server.port, timeout=5)
    client.ehlo()
    if login:
        client.login(USER, PASSWORD)
    return client


class _Raw:
    """A client that types SMTP lines itself, to see the server's exact answers."""

    def __init__(self, server: SmtpServer) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self) -> str:
        lines = []
        while True:
            line = self.file.readline().decode()
            lines.append(line.rstrip("\r\n"))
            if len(line) < 4 or line[3] != "-":
                return "\n".join(lines)

    def send(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_a_message_arrives_with_its_envelope_and_utf8_text(server: SmtpServer) -> None:
    with _client(server) as client:
        client.send_message(
            _message(), from_addr="bounce@sohle.example", to_addrs=["kundin@example.com"]
        )
    (received,) = server.messages
    assert received["Subject"] == "Bestellung SC-000001 – danke!"
    assert received.get_content() == "Grüße\n"
    assert received.envelope_from == "bounce@sohle.example"
    assert received.envelope_rcpt == ("kundin@example.com",)
    assert server.logins == [USER]


def test_the_url_carries_the_login(server: SmtpServer) -> None:
    assert server.url == f"smtp://shop:geheim%3A%201%2F2@127.0.0.1:{server.port}?starttls=no"
    with SmtpServer() as anonymous:
        assert anonymous.url == f"smtp://127.0.0.1:{anonymous.port}?starttls=no"


def test_a_wrong_password_is_535(server: SmtpServer) -> None:
    with _client(server, login=False) as client, pytest.raises(smtplib.SMTPAuthenticationError):
        client.login(USER, "falsch")
    assert server.logins == []


def test_auth_login_works_too(server: SmtpServer) -> None:
    raw = _Raw(server)
    assert "AUTH PLAIN LOGIN" in raw.send("EHLO client")
    assert raw.send("AUTH LOGIN").startswith("334 VXNlcm5hbWU6")
    assert raw.send("c2hvcA==").startswith("334 UGFzc3dvcmQ6")  # shop
    assert raw.send("Z2VoZWltOiAxLzI=").startswith("235")  # geheim: 1/2
    raw.close()
    assert server.logins == [USER]


def test_mail_before_login_is_refused(server: SmtpServer) -> None:
    with _client(server, login=False) as client, pytest.raises(smtplib.SMTPSenderRefused) as err:
        client.sendmail("shop@sohle.example", ["kundin@example.com"], b"Subject: x\r\n\r\nx")
    assert err.value.smtp_code == 530
    assert server.messages == []


def test_commands_out_of_order_are_503() -> None:
    with SmtpServer() as server:
        raw = _Raw(server)
        assert raw.greeting.startswith("220")
        assert raw.send("MAIL FROM:<a@b.example>").startswith("503")  # no EHLO yet
        assert raw.send("HELO client").startswith("250")
        assert raw.send("RCPT TO:<c@d.example>").startswith("503")
        assert raw.send("DATA").startswith("503")
        assert raw.send("MAIL FROM:<a@b.example>").startswith("250")
        assert raw.send("MAIL FROM:<a@b.example>").startswith("503")
        assert raw.send("RSET").startswith("250")
        assert raw.send("NOOP").startswith("250")
        assert raw.send("VRFY x").startswith("502")
        assert raw.send("MAIL FROM a@b.example").startswith("501")
        assert raw.send("QUIT").startswith("221")
        raw.close()
        assert server.messages == []


def test_dot_stuffed_lines_come_back_as_written() -> None:
    with SmtpServer() as server:
        raw = _Raw(server)
        raw.send("EHLO client")
        raw.send("MAIL FROM:<a@b.example>")
        raw.send("RCPT TO:<c@d.example>")
        assert raw.send("DATA").startswith("354")
        raw.sock.sendall(b"Subject: Punkte\r\n\r\n..am Anfang\r\nnormal\r\n.\r\n")
        assert raw.reply().startswith("250")
        raw.close()
        assert server.messages[0].get_content() == ".am Anfang\nnormal\n"


def test_a_message_over_the_size_limit_is_552(server: SmtpServer) -> None:
    with _client(server) as client:
        assert client.has_extn("size")
        big = _message(body="x" * 30_000)
        with pytest.raises(smtplib.SMTPSenderRefused) as err:  # smtplib declares SIZE=
            client.send_message(big)
        assert err.value.smtp_code == 552
    raw = _Raw(server)  # a client that does not declare the size is stopped after DATA
    raw.send("EHLO client")
    raw.send("AUTH PLAIN AHNob3AAZ2VoZWltOiAxLzI=")
    raw.send("MAIL FROM:<a@b.example>")
    raw.send("RCPT TO:<c@d.example>")
    raw.send("DATA")
    raw.sock.sendall(b"Subject: gross\r\n\r\n" + b"y" * 25_000 + b"\r\n.\r\n")
    assert raw.reply().startswith("552")
    raw.close()
    assert server.messages == []


def test_fail_next_refuses_a_recipient_then_recovers(server: SmtpServer) -> None:
    server.fail_next(550)
    with _client(server) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
            client.send_message(_message())
        assert err.value.recipients["kundin@example.com"][0] == 550
        client.send_message(_message())
    assert len(server.messages) == 1


def test_421_closes_the_connection(server: SmtpServer) -> None:
    server.fail_next(421, times=2)
    for _ in range(2):
        with _client(server) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
            client.send_message(_message())
    with _client(server) as client:
        client.send_message(_message())
    assert len(server.messages) == 1


def test_failures_at_the_greeting_mail_and_data(server: SmtpServer) -> None:
    server.fail_next(554, at="connect")
    with pytest.raises(smtplib.SMTPConnectError):
        smtplib.SMTP("127.0.0.1", server.port, timeout=5)
    server.fail_next(451, at="mail")
    server.fail_next(554, at="data")
    with _client(server) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(_message())
        assert refused.value.smtp_code == 451
        with pytest.raises(smtplib.SMTPDataError) as data:
            client.send_message(_message())
        assert data.value.smtp_code == 554
    assert server.messages == []


def test_fail_next_takes_only_error_codes() -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        SmtpServer().fail_next(250)


def test_the_server_refuses_connections_once_closed() -> None:
    server = SmtpServer().start()
    port = server.port
    server.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    with pytest.raises(RuntimeError):
        _ = server.url
