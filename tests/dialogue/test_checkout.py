"""Checkout in the conversation: delivery or pickup, address, e-mail, payment, the summary
German law asks for, and the order button."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import copy_demo
from tests.dialogue.chat import Catalog, Chat, buttons, texts
from theke.bot import Bot, load_bot
from theke.commerce import catalog_from_folder
from theke.dialogue import Engine

REVOLUTION = "SC-RUN-002"  # 64,99 €
ADDRESS = "Anna Schmidt, Hauptstraße 5, 10115 Berlin"


@pytest.fixture
def chat(engine: Engine, catalog: Catalog, bot: Bot) -> Chat:
    catalog.index = catalog_from_folder(bot.path)
    chat = Chat(engine, customer={"size": "43"})
    chat.tap(f"theke:cart:{REVOLUTION}")
    return chat


def _to_summary(chat: Chat, payment: str = "Rechnung") -> list[dict]:  # type: ignore[type-arg]
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    chat.say(ADDRESS)
    chat.tap("theke:co:email:none")
    replies = chat.tap(buttons(_last_choices(chat))[payment])
    return replies


def _last_choices(chat: Chat) -> list[dict]:  # type: ignore[type-arg]
    assert chat.last is not None
    from theke.content import to_json

    return [to_json(reply) for reply in chat.last.replies]


def test_the_summary_shows_prices_with_vat_links_the_terms_and_says_the_binding_button(
    chat: Chat,
) -> None:
    replies = _to_summary(chat)
    summary = next(reply for reply in replies if reply["type"] == "buttons")
    text = summary["text"]
    assert "1× Revolution 7, Gr. 43 – 64,99 €" in text
    assert "Versand (Deutschland): kostenlos" in text  # free from 50 €
    assert "Gesamtsumme: 64,99 € (inkl. 10,38 € MwSt.)" in text
    assert "Lieferung an: Anna Schmidt, Hauptstraße 5, 10115 Berlin" in text
    assert "Zahlung: Rechnung" in text
    labels = {button["title"]: button for button in summary["buttons"]}
    assert labels["Zahlungspflichtig bestellen"]["payload"].startswith("theke:order:")
    assert labels["AGB"]["url"] == "https://sohle-und-co.de/agb"
    assert labels["Widerrufsbelehrung"]["url"] == "https://sohle-und-co.de/widerruf"
    assert chat.last is not None and chat.last.order is None  # nothing ordered yet


def test_the_order_button_asks_to_place_exactly_what_the_summary_showed_once(chat: Chat) -> None:
    summary = _to_summary(chat)
    order = buttons(summary)["Zahlungspflichtig bestellen"]
    chat.tap(order)
    assert chat.last is not None and chat.last.order is not None
    request = chat.last.order
    assert request.lines == ((REVOLUTION, "43", 1),)
    assert request.payment == "invoice" and request.fulfilment == "delivery"
    assert request.address is not None and request.address["postcode"] == "10115"
    assert chat.cart == []  # the cart became the order
    again = chat.tap(order)
    assert chat.last.order is None
    assert "schon aufgegeben" in texts(again)


def test_a_price_change_after_the_summary_shows_a_new_summary_instead_of_ordering(
    chat: Chat, catalog: Catalog
) -> None:
    order = buttons(_to_summary(chat))["Zahlungspflichtig bestellen"]
    product = catalog.index.product(REVOLUTION)
    assert product is not None
    catalog.index = catalog.index.with_products(
        [replace(product, price_cents=7499)], catalog.index.seq + 1
    )
    replies = chat.tap(order)
    assert chat.last is not None and chat.last.order is None
    assert "hat sich etwas geändert" in texts(replies)
    assert "74,99 €" in texts(replies)
    chat.tap(buttons(replies)["Zahlungspflichtig bestellen"])
    assert chat.last.order is not None and chat.last.order.lines == ((REVOLUTION, "43", 1),)


def test_an_incomplete_address_is_asked_for_again_and_a_question_in_between_is_answered(
    chat: Chat,
) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    assert "Postleitzahl" in texts(chat.say("Anna Schmidt, Hauptstraße 5, Berlin"))
    replies = chat.say("Wie lange dauert der Versand?")
    assert "Werktagen" in texts(replies)  # the FAQ answers ...
    assert "Wohin sollen wir liefern?" in texts(replies)  # ... and the question comes back
    replies = chat.say(ADDRESS)
    assert "E-Mail" in texts(replies)
    assert chat.customer["address"]["city"] == "Berlin"  # remembered for next time


def test_a_returning_customer_can_reuse_the_address_and_e_mail(chat: Chat) -> None:
    chat.customer["address"] = {
        "name": "Anna Schmidt", "street": "Hauptstraße 5", "postcode": "10115",
        "city": "Berlin", "country": "DE",
    }  # fmt: skip
    chat.customer["email"] = "anna@example.com"
    chat.tap("theke:checkout")
    replies = chat.tap("theke:co:fulfilment:delivery")
    assert "Anna Schmidt, Hauptstraße 5, 10115 Berlin" in texts(replies)
    replies = chat.tap(buttons(replies)["Ja, dorthin"])
    assert "anna@example.com" in texts(replies)
    replies = chat.tap(buttons(replies)["Ja, passt"])
    assert "Wie möchtest du bezahlen?" in texts(replies)


def test_pickup_needs_no_address_and_costs_nothing(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:pickup:berlin")
    chat.tap("theke:co:email:none")
    replies = chat.tap("theke:co:pay:prepayment")
    text = texts(replies)
    assert "Abholung: kostenlos" in text
    assert "Abholung in: Laden Berlin-Mitte, Torstraße 1, 10119 Berlin" in text
    assert "Zahlung: Vorkasse (Überweisung)" in text


def test_a_country_the_shop_does_not_ship_to_is_refused_with_the_countries_it_ships_to(
    chat: Chat,
) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    replies = chat.say("Hans Muster, Bahnhofstrasse 1, 8001 Zürich, Schweiz")
    assert "Dorthin liefern wir leider nicht. Wir liefern nach: DE, AT, BE" in texts(replies)
    replies = chat.say("Hans Muster, Mariahilfer Straße 10, 1070 Wien, Österreich")
    assert "E-Mail" in texts(replies)  # Austria is in the EU zone
    chat.tap("theke:co:email:none")
    summary = texts(chat.tap("theke:co:pay:invoice"))
    assert "Versand (EU): 9,95 €" in summary and "Gesamtsumme: 74,94 €" in summary


def test_cancel_stops_the_checkout_and_keeps_the_cart(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    replies = chat.say("abbrechen")
    assert "Warenkorb bleibt gespeichert" in texts(replies)
    assert chat.cart == [{"sku": REVOLUTION, "size": "43", "quantity": 1}]
    assert chat.state["checkout"] is None


def test_an_old_order_button_does_not_order(chat: Chat) -> None:
    replies = chat.tap("theke:order:0123456789abcdef01234567")
    assert chat.last is not None and chat.last.order is None
    assert "älterer Bestell-Button" in texts(replies)


def test_three_unreadable_addresses_offer_a_person(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    for _ in range(2):
        chat.say("12345")
    replies = chat.say("12345")
    assert "Mit Mensch sprechen" in buttons(replies)


def test_messenger_customers_get_the_short_binding_wording_that_fits_its_buttons(
    engine: Engine, catalog: Catalog, bot: Bot
) -> None:
    catalog.index = catalog_from_folder(bot.path)
    chat = Chat(engine, key="messenger:2400", customer={"size": "43"})
    chat.tap(f"theke:cart:{REVOLUTION}")
    replies = _to_summary(chat)
    assert "Jetzt kaufen" in buttons(replies)
    assert "Mit „Jetzt kaufen“ bestellst du verbindlich." in texts(replies)


def test_without_a_shop_section_the_bot_says_ordering_here_is_not_possible(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("closed") / "sneakershop"
    copy_demo(folder)
    config = (folder / "theke.yml").read_text(encoding="utf-8")
    start, end = config.index("shop:"), config.index("# What shipping costs")
    (folder / "theke.yml").write_text(config[:start] + config[end:], encoding="utf-8")
    closed = load_bot(folder)
    from theke.dialogue import Engine as Plain

    chat = Chat(
        Plain(closed, None, catalog=lambda: catalog_from_folder(folder)), customer={"size": "43"}
    )
    chat.tap(f"theke:cart:{REVOLUTION}")
    assert "geht bei uns leider noch nicht" in texts(chat.tap("theke:checkout"))


def test_stop_during_checkout_ends_it_and_is_the_opt_out_it_always_is(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    chat.say("stop")
    assert chat.last is not None and chat.last.opt_out
    assert chat.state["checkout"] is None
    assert chat.cart  # the cart stays


def test_online_payment_is_not_offered_where_stripe_is_not_set_up(
    engine: Engine, catalog: Catalog, bot: Bot
) -> None:
    catalog.index = catalog_from_folder(bot.path)
    without = Engine(
        bot,
        engine.nlu,
        knowledge=engine.knowledge,
        catalog=catalog,
        unavailable_payments={"stripe"},
    )
    chat = Chat(without, customer={"size": "43"})
    chat.tap(f"theke:cart:{REVOLUTION}")
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    chat.say(ADDRESS)
    offered = buttons(chat.tap("theke:co:email:none"))
    assert "Rechnung" in offered and "Online bezahlen" not in offered
    assert "hat sich" not in texts(chat.tap("theke:co:pay:stripe"))  # an old button: refused
    assert chat.state["checkout"]["step"] == "payment"


def test_a_question_with_a_number_during_the_address_is_answered_not_refused(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    replies = chat.say("Kann ich innerhalb von 30 Tagen zurückgeben?")
    assert "Postleitzahl" not in texts(replies)
    assert "Wohin sollen wir liefern?" in texts(replies)  # and the question comes back


def test_a_customer_back_days_later_is_not_asked_for_the_address_any_more(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    chat.state["last_at"] = "2026-01-01T10:00:00+00:00"  # long ago
    replies = chat.say("Habt ihr den Pegasus auch in Größe 44?")
    assert "Postleitzahl" not in texts(replies) and "Wohin sollen wir liefern" not in texts(replies)
    assert chat.state["checkout"] is None and chat.cart  # the cart waits for them


def test_an_old_checkout_button_cannot_skip_the_address(chat: Chat) -> None:
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    replies = chat.tap("theke:co:pay:invoice")  # from an earlier checkout, or made up
    assert "Wohin sollen wir liefern?" in texts(replies)
    replies = chat.tap("theke:co:email:none")
    assert "Wohin sollen wir liefern?" in texts(replies)
    assert chat.state["checkout"]["step"] == "address"
    assert not any(reply["type"] == "buttons" for reply in replies)  # no summary, no order


def test_an_owners_own_wording_of_a_checkout_question_keeps_its_buttons(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("worded") / "sneakershop"
    copy_demo(folder)
    with (folder / "responses" / "de.yml").open("a", encoding="utf-8") as responses:
        responses.write("\ncheckout_payment: Und womit zahlst du heute?\n")
    worded = load_bot(folder)
    from theke.dialogue import Engine as Plain

    chat = Chat(Plain(worded, None, catalog=lambda: catalog_from_folder(folder)))
    chat.customer["size"] = "43"
    chat.tap(f"theke:cart:{REVOLUTION}")
    chat.tap("theke:checkout")
    chat.tap("theke:co:fulfilment:delivery")
    chat.say(ADDRESS)
    replies = chat.tap("theke:co:email:none")
    assert "Und womit zahlst du heute?" in texts(replies)
    assert buttons(replies)["Rechnung"] == "theke:co:pay:invoice"
