"""Loading bot folders: the demo shop, and every way to write a response."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import DE_YML, THEKE_YML, WriteBot
from theke.bot import load_bot
from theke.content import (
    Buttons,
    CallButton,
    Media,
    PostbackButton,
    QuickReplies,
    QuickReply,
    Text,
    UrlButton,
)

SNEAKERSHOP = Path(__file__).resolve().parents[2] / "examples" / "sneakershop"


def test_the_demo_shop_loads() -> None:
    bot = load_bot(SNEAKERSHOP)
    assert bot.config.name == "Sohle & Co."
    assert bot.config.languages == ("de", "en")
    assert bot.config.default_language == "de"
    assert (bot.config.persona, bot.config.address) == ("Paula", "du")
    assert bot.responses.languages == ("de", "en")
    assert bot.responses.keys("de") == bot.responses.keys("en")


def test_the_demo_has_its_flows_and_its_faq() -> None:
    bot = load_bot(SNEAKERSHOP)
    assert {"sneaker_advice", "order_status", "notify_me", "talk_to_human"} <= set(bot.flows.flows)
    assert bot.flows.triggered("intent", "product_search") is bot.flows.flows["sneaker_advice"]
    assert bot.flows.triggered("postback", "HUMAN") is bot.flows.flows["talk_to_human"]
    assert len(bot.knowledge) >= 25


def test_the_demo_shipping_answer_is_believable() -> None:
    entry = load_bot(SNEAKERSHOP).knowledge["shipping_time"]
    (answer,) = entry.answer("de")[0]
    assert isinstance(answer, Text)
    assert "2–3 Werktagen" in answer.text


def test_unknown_response_key_is_a_key_error(write_bot: WriteBot) -> None:
    bot = load_bot(write_bot())
    with pytest.raises(KeyError, match="nope"):
        bot.responses.get("nope", "de")


def test_a_text_response(write_bot: WriteBot) -> None:
    bot = load_bot(write_bot())
    assert bot.responses.get("greet", "de") == ((Text(text="Hallo!"),),)
    assert bot.responses.get("greet", "en") == ((Text(text="Hello!"),),)


def test_variants_and_messages(write_bot: WriteBot) -> None:
    de = """\
greet:
  - Hallo!
  - messages:
      - Moin!
      - image: https://shop.example/laden.jpg
        caption: Unser Laden
fallback: Wie bitte?
"""
    variants = load_bot(write_bot(de=de)).responses.get("greet", "de")
    assert variants == (
        (Text(text="Hallo!"),),
        (
            Text(text="Moin!"),
            Media(kind="image", url="https://shop.example/laden.jpg", caption="Unser Laden"),
        ),
    )


def test_quick_replies_and_buttons_shorthand(write_bot: WriteBot) -> None:
    de = """\
greet:
  text: Hallo!
  quick_replies:
    - {title: Los geht's, payload: GET_STARTED}
fallback:
  text: Wie bitte?
  buttons:
    - {title: Nochmal, payload: GET_STARTED}
    - {title: Zum Shop, url: "https://shop.example"}
    - {title: Anrufen, phone: +49 30 1234567}
"""
    bot = load_bot(write_bot(de=de))
    greet = QuickReplies(
        text="Hallo!", replies=(QuickReply(title="Los geht's", payload="GET_STARTED"),)
    )
    assert bot.responses.get("greet", "de") == ((greet,),)
    fallback = Buttons(
        text="Wie bitte?",
        buttons=(
            PostbackButton(title="Nochmal", payload="GET_STARTED"),
            UrlButton(title="Zum Shop", url="https://shop.example"),
            CallButton(title="Anrufen", phone="+49301234567"),
        ),
    )
    assert bot.responses.get("fallback", "de") == ((fallback,),)


def test_content_json_form(write_bot: WriteBot) -> None:
    de = 'greet: {type: typing, seconds: 1.5}\nfallback: {type: text, text: "Wie bitte?"}\n'
    bot = load_bot(write_bot(de=de))
    assert bot.responses.get("fallback", "de") == ((Text(text="Wie bitte?"),),)


def test_yaml_words_that_are_booleans_elsewhere_stay_text(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("[hallo]", "[yes, no, on, off, 9:30, 2024-05-01, 12]")
    de = "greet: yes\nfallback: 9:30\n"
    bot = load_bot(write_bot(theke=theke, de=de))
    patterns = bot.config.keywords[0].patterns
    assert patterns == ("yes", "no", "on", "off", "9:30", "2024-05-01", "12")
    assert bot.responses.get("fallback", "de") == ((Text(text="9:30"),),)
    assert bot.responses.get("greet", "de") == ((Text(text="yes"),),)


def test_a_single_pattern_may_be_written_without_brackets(write_bot: WriteBot) -> None:
    bot = load_bot(write_bot(theke=THEKE_YML.replace("[hallo]", "hallo")))
    assert bot.config.keywords[0].patterns == ("hallo",)


def test_defaults(write_bot: WriteBot) -> None:
    bot = load_bot(write_bot(theke="name: Minimal\n", en=None))
    assert bot.config.languages == ("de",)
    assert (bot.config.address, bot.config.fallback, bot.config.persona) == ("du", "fallback", None)
    assert bot.config.keywords == ()


def test_a_byte_order_mark_is_fine(write_bot: WriteBot) -> None:
    bot = write_bot()
    (bot / "theke.yml").write_bytes(b"\xef\xbb\xbf" + THEKE_YML.encode())
    assert load_bot(bot).config.name == "Testladen"


@pytest.mark.parametrize(
    ("address", "expected"),
    [("du", "Schön, dass du da bist!"), ("Sie", "Schön, dass Sie da sind!")],
)
def test_a_response_in_both_forms_of_address_follows_the_setting(
    write_bot: WriteBot, address: str, expected: str
) -> None:
    de = DE_YML.replace(
        "greet: Hallo!",
        "greet:\n  du: Schön, dass du da bist!\n  Sie: Schön, dass Sie da sind!",
    )
    de += "thanks:\n  - du: Gern, melde dich!\n    Sie: Gern, melden Sie sich!\n  - Sehr gern!\n"
    bot = load_bot(write_bot(theke=THEKE_YML + f"address: {address}\n", de=de))
    assert bot.responses.get("greet", "de") == ((Text(text=expected),),)
    first, second = bot.responses.get("thanks", "de")
    assert first == (
        Text(text="Gern, melde dich!" if address == "du" else "Gern, melden Sie sich!"),
    )
    assert second == (Text(text="Sehr gern!"),)
