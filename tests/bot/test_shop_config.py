"""``shop:`` and ``shipping:`` in theke.yml: the shop's rules, every mistake with its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.bot.conftest import THEKE_YML, WriteBot
from theke.bot import load_bot
from theke.commerce.shipping import BankDetails, PickupStore, ShippingRules, Zone
from theke.errors import BotFolderError

SHOP_YML = """\
shop:
  order_prefix: "SC-"
  vat_rate: 19
  terms_url: https://www.sohle.example/agb
  withdrawal_url: https://www.sohle.example/widerruf
  privacy_url: https://www.sohle.example/datenschutz
  payment: [stripe, invoice, prepayment]
  invoice_days: 14
  payment_minutes: 60
  bank:
    holder: Sohle & Co. GmbH
    iban: de89 3704 0044 0532 0130 00
    bic: COBADEFFXXX
    bank: Commerzbank
shipping:
  currency: EUR
  zones:
    - name: Deutschland
      countries: [de]
      price: 4.95
      free_from: 50
    - name: EU
      countries: [AT, BE, NL, FR]
      price: 9.95
  pickup:
    - id: berlin
      name: Sohle & Co. Berlin-Mitte
      address: Torstraße 1, 10119 Berlin
"""


def _error(write_bot: WriteBot, shop_yml: str) -> tuple[BotFolderError, str]:
    """The error for ``theke.yml`` with ``shop_yml`` appended, and the line it points at."""
    text = THEKE_YML + shop_yml
    with pytest.raises(BotFolderError) as caught:
        load_bot(write_bot(theke=text))
    error = caught.value
    assert error.path.endswith("theke.yml")
    assert error.line is not None
    return error, text.splitlines()[error.line - 1].strip()


def test_the_shop_and_its_shipping_rules_are_read(write_bot: WriteBot) -> None:
    config = load_bot(write_bot(theke=THEKE_YML + SHOP_YML)).config
    shop = config.shop
    assert shop is not None
    assert (shop.order_prefix, shop.vat_rate) == ("SC-", Decimal(19))
    assert shop.terms_url == "https://www.sohle.example/agb"
    assert shop.withdrawal_url == "https://www.sohle.example/widerruf"
    assert shop.privacy_url == "https://www.sohle.example/datenschutz"
    assert shop.payment == ("stripe", "invoice", "prepayment")
    assert (shop.invoice_days, shop.payment_minutes) == (14, 60)
    iban = "DE89370400440532013000"
    assert shop.bank == BankDetails("Sohle & Co. GmbH", iban, "COBADEFFXXX", "Commerzbank")
    assert config.shipping == ShippingRules(
        zones=(
            Zone("Deutschland", ("DE",), 495, 5000),
            Zone("EU", ("AT", "BE", "NL", "FR"), 995, None),
        ),
        pickup=(PickupStore("berlin", "Sohle & Co. Berlin-Mitte", "Torstraße 1, 10119 Berlin"),),
        currency="EUR",
    )
    assert config.shipping.quote("de", 5000).free


def test_without_the_sections_the_bot_takes_no_orders(write_bot: WriteBot) -> None:
    config = load_bot(write_bot()).config
    assert config.shop is None
    assert config.shipping == ShippingRules()
    assert not config.shipping.ships_to("DE")


def test_a_minimal_shop_gets_the_defaults(write_bot: WriteBot) -> None:
    minimal = """\
shop:
  terms_url: https://www.sohle.example/agb
  withdrawal_url: http://localhost:8000/widerruf
shipping:
  zones:
    - {name: Deutschland, countries: DE, price: 0}
"""
    config = load_bot(write_bot(theke=THEKE_YML + minimal)).config
    shop = config.shop
    assert shop is not None
    assert (shop.order_prefix, shop.vat_rate, shop.payment) == ("T-", Decimal(19), ("stripe",))
    assert (shop.invoice_days, shop.payment_minutes, shop.bank) == (14, 60, None)
    assert shop.privacy_url is None
    assert config.shipping.quote("DE", 100).cents == 0


def test_pickup_alone_is_enough_to_sell(write_bot: WriteBot) -> None:
    pickup_only = SHOP_YML.replace(
        SHOP_YML[SHOP_YML.index("  zones:") : SHOP_YML.index("  pickup:")], ""
    )
    config = load_bot(write_bot(theke=THEKE_YML + pickup_only)).config
    assert config.shipping.countries == ()
    assert config.shipping.store("berlin") is not None


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ("countries: [de]", "countries: [DE, XX]", "countries:", "`XX` is not a country code"),
        ("countries: [de]", "countries: [Deutschland]", "countries:", "write `DE`"),
        ("countries: [de]", "countries: [UK]", "countries:", "write `GB`"),
        ("[AT, BE, NL, FR]", "[AT, BE, DE]", "zones:", "`DE` is in the zones `Deutschland`"),
        ("price: 9.95", "price: -1", "price: -1", "negative"),
        ("free_from: 50", "free_from: -5", "free_from:", "negative"),
        ("price: 4.95", "price: 4.955", "price:", "euros and cents"),
        ("price: 4.95", "price: gratis", "price:", "not a price"),
        ("https://www.sohle.example/agb", "www.sohle.example/agb", "terms_url:", "https://"),
        (
            "https://www.sohle.example/widerruf",
            "http://sohle.example/w",
            "withdrawal_url:",
            "https",
        ),
        ("https://www.sohle.example/datenschutz", "https://", "privacy_url:", "https://"),
        ("0532 0130 00", "0532 0130 01", "iban:", "check digits"),
        ("de89 3704 0044 0532 0130 00", "DE89 3704", "iban:", "22 characters"),
        ("bic: COBADEFFXXX", "bic: COB", "bic:", "not a BIC"),
        ("[stripe, invoice, prepayment]", "[stripe, stripe]", "payment:", "listed twice"),
        ("[stripe, invoice, prepayment]", "[paypal]", "payment:", "paypal"),
        ("[stripe, invoice, prepayment]", "[]", "payment:", "no payment method"),
        ("vat_rate: 19", "vat_rate: 119", "vat_rate:", "not a VAT rate"),
        ("payment_minutes: 60", "payment_minutes: 5", "payment_minutes:", "greater than"),
        ('order_prefix: "SC-"', 'order_prefix: "S C"', "order_prefix:", "order number prefix"),
        ("id: berlin", "id: Berlin Mitte", "- id:", "not a store id"),
        ("currency: EUR", "currency: Euro", "currency:", "currency code"),
        ("    - name: EU", "    - name: Deutschland", "zones:", "two zones are called"),
        ("  zones:", "  zonez:", "zonez:", "unknown key `zonez`"),
    ],
)
def test_each_mistake_names_its_line(
    write_bot: WriteBot, old: str, new: str, line: str, says: str
) -> None:
    assert old in SHOP_YML
    error, shown = _error(write_bot, SHOP_YML.replace(old, new, 1))
    assert shown.startswith(line)
    assert says in str(error)


def test_a_missing_legal_page_is_named(write_bot: WriteBot) -> None:
    without_terms = SHOP_YML.replace("  terms_url: https://www.sohle.example/agb\n", "")
    error, shown = _error(write_bot, without_terms)
    assert shown == "shop:"
    assert "`terms_url` is missing" in error.problem
    assert error.fix == "add `terms_url:` with a value"


def test_invoice_without_a_bank_account_says_what_to_add(write_bot: WriteBot) -> None:
    bank = SHOP_YML[SHOP_YML.index("  bank:") : SHOP_YML.index("shipping:")]
    error, shown = _error(write_bot, SHOP_YML.replace(bank, ""))
    assert shown.startswith("payment:")
    assert "`invoice` needs the shop's bank account" in error.problem
    assert "add `bank:`" in error.problem


def test_stripe_alone_needs_no_bank_account(write_bot: WriteBot) -> None:
    bank = SHOP_YML[SHOP_YML.index("  bank:") : SHOP_YML.index("shipping:")]
    text = SHOP_YML.replace(bank, "").replace("[stripe, invoice, prepayment]", "[stripe]")
    shop = load_bot(write_bot(theke=THEKE_YML + text)).config.shop
    assert shop is not None
    assert shop.bank is None


def test_a_shop_that_ships_nowhere_is_refused(write_bot: WriteBot) -> None:
    error, shown = _error(write_bot, SHOP_YML[: SHOP_YML.index("shipping:")])
    assert shown == "shop:"
    assert "ships nowhere" in error.problem


def test_shipping_alone_is_allowed(write_bot: WriteBot) -> None:
    config = load_bot(write_bot(theke=THEKE_YML + SHOP_YML[SHOP_YML.index("shipping:") :])).config
    assert config.shop is None
    assert config.shipping.ships_to("FR")


def test_a_misspelt_shop_key_gets_a_suggestion(write_bot: WriteBot) -> None:
    error, shown = _error(write_bot, SHOP_YML.replace("invoice_days", "invoice_dayz"))
    assert shown.startswith("invoice_dayz:")
    assert error.fix == "did you mean `invoice_days`?"
