"""The mailer delivers order e-mails over SMTP and says whether a failure is worth a retry."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from theke.commerce.mail import Mail, Mailer, MailError
from theke.errors import ConfigurationError
from theke.testing.smtp_server import SmtpServer

SENDER = "Sohle & Co. <bestellung@sohle.example>"
SUBJECT = "Deine Bestellung SC-000042 – danke, Jürgen!"
TEXT = "Hallo Jürgen,\n\ndanke für deine Bestellung über 89,99 €.\n"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer(username="shop@sohle.example", password="pa:ss/wort?") as running:
        yield running


def _mail(**changes: str) -> Mail:
    fields = {"to": "Jürgen Kunde <juergen@example.com>", "subject": SUBJECT, "text": TEXT}
    return Mail(**(fields | changes))


async def test_an_order_mail_arrives_with_utf8_subject_and_body(server: SmtpServer) -> None:
    await Mailer(server.url, SENDER).send(_mail(html="<p>Hallo Jürgen, danke!</p>"))
    (received,) = server.messages
    assert received["Subject"] == SUBJECT
    (sender,) = received["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Sohle & Co.", "bestellung@sohle.example")
    assert received["To"] == "Jürgen Kunde <juergen@example.com>"
    assert received.envelope_from == "bestellung@sohle.example"
    assert received.envelope_rcpt == ("juergen@example.com",)
    assert received.get_body(("plain",)).get_content() == TEXT  # type: ignore[union-attr]
    html = received.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.strip() == "<p>Hallo Jürgen, danke!</p>"
    assert received["Message-ID"].endswith("@sohle.example>")
    assert received["Date"] is not None
    assert server.logins == ["shop@sohle.example"]


async def test_long_lines_and_leading_dots_survive(server: SmtpServer) -> None:
    text = "Artikel: " + "Sneaker Classic Weiß, " * 100 + "\n.\n..Ende\n"
    await Mailer(server.url, SENDER).send(_mail(text=text))
    assert server.messages[0].get_content() == text


async def test_each_mail_has_its_own_message_id(server: SmtpServer) -> None:
    mailer = Mailer(server.url, SENDER)
    await mailer.send(_mail())
    await mailer.send(_mail())
    first, second = server.messages
    assert first["Message-ID"] != second["Message-ID"]


async def test_a_wrong_password_is_not_retried(server: SmtpServer) -> None:
    url = server.url.replace("pa%3Ass", "falsch")
    with pytest.raises(MailError) as failed:
        await Mailer(url, SENDER).send(_mail())
    assert (failed.value.code, failed.value.retryable) == (535, False)
    assert "THEKE_SMTP_URL" in str(failed.value)
    assert server.messages == []


async def test_a_refused_recipient_is_not_retried(server: SmtpServer) -> None:
    server.fail_next(550)
    with pytest.raises(MailError) as failed:
        await Mailer(server.url, SENDER).send(_mail())
    assert (failed.value.code, failed.value.retryable) == (550, False)


@pytest.mark.parametrize("code", [421, 450, 451])
async def test_a_busy_server_is_retried(server: SmtpServer, code: int) -> None:
    server.fail_next(code)
    mailer = Mailer(server.url, SENDER)
    with pytest.raises(MailError) as failed:
        await mailer.send(_mail())
    assert (failed.value.code, failed.value.retryable) == (code, True)
    await mailer.send(_mail())  # the retry goes through
    assert len(server.messages) == 1


async def test_a_server_that_refuses_the_content_is_not_retried(server: SmtpServer) -> None:
    server.fail_next(554, at="data")
    with pytest.raises(MailError) as failed:
        await Mailer(server.url, SENDER).send(_mail())
    assert (failed.value.code, failed.value.retryable) == (554, False)


async def test_a_server_busy_at_the_greeting_is_retried(server: SmtpServer) -> None:
    server.fail_next(421, at="connect")
    with pytest.raises(MailError) as failed:
        await Mailer(server.url, SENDER).send(_mail())
    assert failed.value.retryable


async def test_a_message_too_big_for_the_server_is_not_retried() -> None:
    with SmtpServer(size_limit=1_000) as small:
        with pytest.raises(MailError) as failed:
            await Mailer(small.url, SENDER).send(_mail(text="x" * 5_000))
        assert (failed.value.code, failed.value.retryable) == (552, False)


async def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MailError) as failed:
        await Mailer(f"smtp://127.0.0.1:{port}", SENDER, timeout=5).send(_mail())
    assert failed.value.retryable
    assert failed.value.code is None


async def test_a_recipient_that_is_no_address_is_refused_before_sending(
    server: SmtpServer,
) -> None:
    mailer = Mailer(server.url, SENDER)
    for to in ("kein-at-zeichen", "a@b.example\r\nBcc: alle@example.com"):
        with pytest.raises(MailError) as failed:
            await mailer.send(_mail(to=to))
        assert not failed.value.retryable
    with pytest.raises(MailError):
        await mailer.send(_mail(subject="Hallo\r\nBcc: alle@example.com"))
    assert server.messages == []


async def test_starttls_yes_refuses_a_server_without_it(server: SmtpServer) -> None:
    url = server.url.replace("starttls=no", "starttls=yes")
    with pytest.raises(MailError, match="STARTTLS") as failed:
        await Mailer(url, SENDER).send(_mail())
    assert not failed.value.retryable
    assert server.messages == []


async def test_a_server_without_login_takes_mail_without_one() -> None:
    with SmtpServer() as open_relay:
        await Mailer(f"smtp://127.0.0.1:{open_relay.port}", SENDER).send(_mail())
        assert len(open_relay.messages) == 1


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.com", "smtp://"),
        ("mail.example.com:587", "smtp://"),
        ("smtp://", "names no server"),
        ("smtp://user@mail.example.com", "without a password"),
        ("smtp://mail.example.com:99999", "port"),
        ("smtp://mail.example.com?starttls=vielleicht", "starttls"),
        ("smtp://mail.example.com?tls=1", "unknown option"),
        ("smtp://user:pässwort@mail.example.com", "ASCII"),
    ],
)
def test_a_bad_url_names_the_setting_and_the_fix(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as failed:
        Mailer(url, SENDER)
    message = str(failed.value)
    assert "THEKE_SMTP_URL" in message
    assert says in message
    assert "smtp://user:password@mail.example.com:587" in message


def test_the_password_is_not_shown_in_the_error() -> None:
    with pytest.raises(ConfigurationError) as failed:
        Mailer("smtp://user:streng-geheim@mail.example.com?starttls=kaputt", SENDER)
    assert "streng-geheim" not in str(failed.value)


def test_a_sender_that_is_no_address_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="THEKE_MAIL_FROM"):
        Mailer("smtp://127.0.0.1:25", "Sohle & Co.")
