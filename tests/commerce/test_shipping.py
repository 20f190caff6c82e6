"""Shipping prices by zone, free shipping from a subtotal, pickup stores, VAT and the IBAN."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.commerce.shipping import (
    BankDetails,
    NoShipping,
    PickupStore,
    ShippingQuote,
    ShippingRules,
    ShopConfig,
    Zone,
    iban_problem,
)
from theke.errors import ThekeError

RULES = ShippingRules(
    zones=(
        Zone("Deutschland", ("DE",), 495, 5000),
        Zone("EU", ("AT", "BE", "NL"), 995),
        Zone("Schweiz", ("CH",), 0),
    ),
    pickup=(PickupStore("berlin", "Sohle & Co. Berlin-Mitte", "Torstraße 1, 10119 Berlin"),),
)
VALID_IBANS = (
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "AT611904300234573201",
    "CH9300762011623852957",
    "NL91ABNA0417164300",
    "FR1420041010050500013M02606",
)


def _shop(vat_rate: str = "19") -> ShopConfig:
    return ShopConfig(
        vat_rate=Decimal(vat_rate),
        terms_url="https://www.sohle.example/agb",
        withdrawal_url="https://www.sohle.example/widerruf",
    )


def test_the_zone_price_applies_below_the_free_threshold() -> None:
    assert RULES.quote("DE", 4999) == ShippingQuote(zone="Deutschland", cents=495, free=False)


@pytest.mark.parametrize("subtotal", [5000, 5001, 1_000_000])
def test_shipping_is_free_at_and_above_the_threshold(subtotal: int) -> None:
    assert RULES.quote("DE", subtotal) == ShippingQuote(zone="Deutschland", cents=0, free=True)


def test_a_zone_without_threshold_always_costs_its_price() -> None:
    assert RULES.quote("NL", 1_000_000) == ShippingQuote(zone="EU", cents=995, free=False)


def test_a_zone_that_costs_nothing_is_free() -> None:
    assert RULES.quote("CH", 100).free


def test_country_codes_are_read_in_any_case() -> None:
    assert RULES.quote(" at ", 100).zone == "EU"
    assert RULES.ships_to("be")


def test_a_country_without_zone_is_no_shipping() -> None:
    with pytest.raises(NoShipping) as refused:
        RULES.quote("us", 10_000)
    assert refused.value.country == "US"
    assert "US" in str(refused.value)
    assert isinstance(refused.value, ThekeError)
    assert not RULES.ships_to("US")


def test_empty_rules_ship_nowhere() -> None:
    rules = ShippingRules()
    assert rules.countries == ()
    assert rules.currency == "EUR"
    with pytest.raises(NoShipping):
        rules.quote("DE", 100)


def test_countries_are_listed_in_zone_order() -> None:
    assert RULES.countries == ("DE", "AT", "BE", "NL", "CH")


def test_pickup_stores_are_found_by_id() -> None:
    store = RULES.store("berlin")
    assert store is not None
    assert store.name == "Sohle & Co. Berlin-Mitte"
    assert RULES.store("hamburg") is None


def test_the_iban_is_shown_in_groups_of_four() -> None:
    bank = BankDetails("Sohle & Co. GmbH", "de89370400440532013000", None, None)
    assert bank.iban_display() == "DE89 3704 0044 0532 0130 00"


@pytest.mark.parametrize(
    ("gross", "vat"),
    [(8999, 1437), (11900, 1900), (119, 19), (0, 0), (1, 0), (495, 79)],
)
def test_the_vat_contained_in_a_price(gross: int, vat: int) -> None:
    assert _shop().vat_cents(gross) == vat


def test_vat_is_rounded_half_up() -> None:
    assert _shop("20").vat_cents(3) == 1  # 0.5 cents: half-up, not to even
    assert _shop("20").vat_cents(15) == 3  # 2.5 cents
    assert _shop("0").vat_cents(999) == 0
    assert _shop("7").vat_cents(10700) == 700


@given(st.integers(0, 10**9), st.sampled_from(["19", "7", "20", "7.7", "8.1", "25", "0"]))
def test_vat_is_the_exact_share_rounded_half_up(gross: int, rate: str) -> None:
    exact = Fraction(gross) * Fraction(rate) / (100 + Fraction(rate))
    vat = _shop(rate).vat_cents(gross)
    assert abs(Fraction(vat) - exact) <= Fraction(1, 2)
    assert vat - exact != Fraction(-1, 2)  # a half always rounds up
    assert 0 <= vat <= gross


def test_offered_payment_methods() -> None:
    shop = _shop()
    assert shop.offers("stripe")
    assert not shop.offers("invoice")


@pytest.mark.parametrize("iban", VALID_IBANS)
def test_valid_ibans_pass(iban: str) -> None:
    assert iban_problem(iban) is None
    spaced = " ".join(iban[start : start + 4] for start in range(0, len(iban), 4))
    assert iban_problem(spaced.lower()) is None


@pytest.mark.parametrize(
    ("iban", "says"),
    [
        ("DE89370400440532013001", "check digits"),
        ("DE8937040044053201300", "22 characters"),
        ("XX89370400440532013000", "not a country"),
        ("DE89-3704-0044", "an IBAN has"),
        ("8937040044053201300000", "starts with the country code"),
        ("", "an IBAN has"),
    ],
)
def test_invalid_ibans_say_why(iban: str, says: str) -> None:
    problem = iban_problem(iban)
    assert problem is not None
    assert says in problem


@given(st.sampled_from(VALID_IBANS), st.data())
def test_any_mistyped_digit_is_caught(iban: str, data: st.DataObject) -> None:
    positions = [index for index, char in enumerate(iban) if char.isdigit()]
    index = data.draw(st.sampled_from(positions))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != iban[index]]))
    assert iban_problem(iban[:index] + digit + iban[index + 1 :]) is not None


@given(st.sampled_from(VALID_IBANS), st.data())
def test_two_swapped_neighbour_digits_are_caught(iban: str, data: st.DataObject) -> None:
    pairs = [
        i
        for i in range(4, len(iban) - 1)
        if iban[i] != iban[i + 1] and (iban[i] + iban[i + 1]).isdigit()
    ]
    index = data.draw(st.sampled_from(pairs))
    swapped = iban[:index] + iban[index + 1] + iban[index] + iban[index + 2 :]
    assert iban_problem(swapped) is not None
