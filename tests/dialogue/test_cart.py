"""The cart in the conversation: add from a card, sizes, the cart itself, sold out, notify me."""

from __future__ import annotations

import pytest

from tests.dialogue.chat import Catalog, Chat, buttons, texts
from theke.bot import Bot
from theke.commerce import catalog_from_folder
from theke.dialogue import Engine

PEGASUS = "SC-RUN-001"  # 139,99 €; 42 and 47 sold out
REVOLUTION = "SC-RUN-002"  # 64,99 €


@pytest.fixture
def chat(engine: Engine, catalog: Catalog, bot: Bot) -> Chat:
    catalog.index = catalog_from_folder(bot.path)  # every test starts with the file's stock
    return Chat(engine)


def test_a_card_button_without_a_known_size_asks_for_one_of_the_sizes_in_stock(chat: Chat) -> None:
    replies = chat.tap(f"theke:cart:{PEGASUS}")
    assert "In welcher Größe" in texts(replies)
    sizes = buttons(replies)
    assert "43" in sizes and "42" not in sizes  # 42 is sold out: not offered
    assert chat.cart == []
    replies = chat.tap(sizes["43"])
    assert "Pegasus 41 in Größe 43 liegt jetzt in deinem Warenkorb" in texts(replies)
    assert "1 Artikel, 139,99 €" in texts(replies)
    assert chat.cart == [{"sku": PEGASUS, "size": "43", "quantity": 1}]
    assert {"Zur Kasse", "Warenkorb"} <= set(buttons(replies))


def test_the_size_the_customer_gave_is_used_and_a_second_tap_adds_a_second_pair(chat: Chat) -> None:
    chat.customer["size"] = "43"
    chat.tap(f"theke:cart:{REVOLUTION}")
    replies = chat.tap(f"theke:cart:{REVOLUTION}")
    assert chat.cart == [{"sku": REVOLUTION, "size": "43", "quantity": 2}]
    assert "2 Artikel, 129,98 €" in texts(replies)
    assert chat.customer["carted"][0] == REVOLUTION  # remembered for recommendations


def test_the_cart_lists_lines_with_prices_and_lines_can_be_removed(chat: Chat) -> None:
    chat.customer["size"] = "43"
    chat.tap(f"theke:cart:{REVOLUTION}")
    chat.tap(f"theke:cart:{PEGASUS}")
    replies = chat.say("Warenkorb")
    shown = texts(replies)
    assert "1. 1× Revolution 7, Größe 43 – 64,99 €" in shown
    assert "Zwischensumme: 204,98 € (inkl. MwSt.)" in shown
    replies = chat.tap(buttons(replies)["1 entfernen"])
    assert "Ich habe Revolution 7 (Größe 43) aus dem Warenkorb genommen." in texts(replies)
    assert [line["sku"] for line in chat.cart] == [PEGASUS]
    again = chat.tap(f"theke:remove:{REVOLUTION}:43")  # a double tap removes nothing more
    assert [line["sku"] for line in chat.cart] == [PEGASUS]
    assert "Zwischensumme: 139,99 €" in texts(again)


def test_a_sold_out_size_offers_to_notify_and_shows_similar_shoes_in_stock(chat: Chat) -> None:
    chat.customer["size"] = "42"  # Pegasus 41 is sold out in 42
    replies = chat.tap(f"theke:cart:{PEGASUS}")
    assert "in Größe 42 leider gerade ausverkauft" in texts(replies)
    assert "In welcher Größe" in texts(replies)  # other sizes are still there
    replies = chat.tap(f"theke:size:{PEGASUS}:42")
    assert "ausverkauft" in texts(replies)
    offered = buttons(replies)
    assert offered["Bescheid sagen"] == f"theke:notify:{PEGASUS}:42"
    cards = [reply for reply in replies if reply["type"] == "carousel"]
    assert cards and all(card["title"] != "Pegasus 41" for card in cards[0]["cards"])
    replies = chat.tap(offered["Bescheid sagen"])
    assert "Sobald Pegasus 41 in Größe 42 wieder da ist" in texts(replies)
    assert chat.last is not None
    subscription = chat.last.subscriptions[0]
    assert (subscription.topic, subscription.subject) == ("back_in_stock", f"{PEGASUS}:42")


def test_a_product_sold_out_in_every_size_offers_to_notify_for_any_size(
    chat: Chat, catalog: Catalog
) -> None:
    for size in ("36", "36.5", "37.5", "38", "38.5", "39", "40", "40.5", "41", "42.5", "43",
                 "44", "44.5", "45", "46"):  # fmt: skip
        catalog.stock(PEGASUS, size, 0)
    replies = chat.tap(f"theke:cart:{PEGASUS}")
    assert "in keiner Größe lieferbar" in texts(replies)
    assert buttons(replies)["Bescheid sagen"] == f"theke:notify:{PEGASUS}:*"


def test_buttons_for_products_that_are_gone_or_sizes_that_do_not_exist_get_honest_answers(
    chat: Chat,
) -> None:
    assert "gibt es leider nicht mehr" in texts(chat.tap("theke:cart:SC-GONE-999"))
    replies = chat.tap(f"theke:size:{PEGASUS}:99")  # no such size: the choice again
    assert "In welcher Größe" in texts(replies)
    assert chat.cart == []
    assert "gibt es leider nicht mehr" in texts(chat.tap("theke:notify:SC-GONE-999:43"))


def test_details_offer_the_cart_and_the_empty_cart_says_how_to_start(chat: Chat) -> None:
    replies = chat.tap(f"theke:product:{REVOLUTION}")
    assert buttons(replies)["In den Warenkorb"] == f"theke:cart:{REVOLUTION}"
    assert "Warenkorb ist noch leer" in texts(chat.say("warenkorb"))


def test_english_customers_get_the_cart_in_english(chat: Chat) -> None:
    chat.state["language"] = "en"
    chat.customer["size"] = "43"
    replies = chat.tap(f"theke:cart:{REVOLUTION}")
    assert "Revolution 7 in size 43 is in your cart now. In your cart: 1 item, €64.99." in texts(
        replies
    )
    assert "Checkout" in buttons(replies)


def test_a_line_can_get_another_size_from_the_cart(chat: Chat) -> None:
    chat.customer["size"] = "43"
    chat.tap(f"theke:cart:{REVOLUTION}")
    replies = chat.say("warenkorb")
    replies = chat.tap(buttons(replies)["1: andere Größe"])
    assert "In welcher Größe möchtest du den Revolution 7?" in texts(replies)
    assert chat.cart == []
    chat.tap(buttons(replies)["44"])
    assert chat.cart == [{"sku": REVOLUTION, "size": "44", "quantity": 1}]
