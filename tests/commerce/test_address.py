"""Postal addresses typed into a chat: every common layout, and exactly what is missing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.commerce.address import (
    Address,
    AddressProblem,
    country_code,
    country_name,
    parse_address,
)


def _address(
    street: str, postcode: str, city: str, country: str = "DE", name: str | None = None
) -> Address:
    return Address(name=name, street=street, postcode=postcode, city=city, country=country)


MAX = _address("Hauptstraße 5", "10115", "Berlin", name="Max Mustermann")


@pytest.mark.parametrize(
    "text",
    [
        "Max Mustermann, Hauptstraße 5, 10115 Berlin",
        "Max Mustermann\nHauptstraße 5\n10115 Berlin",
        "Max Mustermann\r\nHauptstraße 5\r\n10115 Berlin\r\n",
        "  Max   Mustermann ,Hauptstraße  5,10115   Berlin  ",
        "Max Mustermann Hauptstraße 5 10115 Berlin",
        "Max Mustermann Hauptstraße 5, 10115 Berlin",
        "Max Mustermann; Hauptstraße 5; 10115 Berlin",
        "Max Mustermann, Hauptstraße 5, 10115 Berlin, Deutschland",
        "Max Mustermann\nHauptstraße 5\n10115 Berlin\nGermany",
        "Max Mustermann, Hauptstraße 5, D-10115 Berlin",
        "Max Mustermann Hauptstraße 5 10115 Berlin DE",
        "Lieferadresse: Max Mustermann, Hauptstraße 5, 10115 Berlin",
        "Meine Adresse ist:\nMax Mustermann\nHauptstraße 5\n10115 Berlin",
    ],
)
def test_the_same_address_in_every_layout(text: str) -> None:
    assert parse_address(text) == MAX


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hauptstr. 5a\n10115 Berlin", _address("Hauptstr. 5a", "10115", "Berlin")),
        (
            "Max Mustermann Am Markt 12 80331 München",
            _address("Am Markt 12", "80331", "München", name="Max Mustermann"),
        ),
        (
            "Erika Musterfrau Unter den Linden 5 10117 Berlin",
            _address("Unter den Linden 5", "10117", "Berlin", name="Erika Musterfrau"),
        ),
        (
            "Erika Weiß Straße des 17. Juni 100 10623 Berlin",
            _address("Straße des 17. Juni 100", "10623", "Berlin", name="Erika Weiß"),
        ),
        (
            "Anna Müller Neue Schönhauser Str. 3 10178 Berlin",
            _address("Neue Schönhauser Str. 3", "10178", "Berlin", name="Anna Müller"),
        ),
        (
            "Max Mustermann Hohenzollernring 5 50672 Köln",
            _address("Hohenzollernring 5", "50672", "Köln", name="Max Mustermann"),
        ),
        ("Lindenweg 12-14, 50667 Köln", _address("Lindenweg 12-14", "50667", "Köln")),
        ("Lindenweg 5 a, 50667 Köln", _address("Lindenweg 5 a", "50667", "Köln")),
        ("Lindenweg 12/3, 50667 Köln", _address("Lindenweg 12/3", "50667", "Köln")),
        ("Mainzer Landstr. 1, 60329 Frankfurt am Main", None),
        (
            "Hauptstraße 5, 3. OG links, 10115 Berlin",
            _address("Hauptstraße 5, 3. OG links", "10115", "Berlin"),
        ),
    ],
)
def test_streets_and_house_numbers(text: str, expected: Address | None) -> None:
    parsed = parse_address(text)
    if expected is None:
        assert (parsed.street, parsed.city) == ("Mainzer Landstr. 1", "Frankfurt am Main")
    else:
        assert parsed == expected


def test_c_o_lines_belong_to_the_name() -> None:
    text = "Max Mustermann\nc/o Sohle & Co. GmbH\nHauptstraße 5\n10115 Berlin"
    parsed = parse_address(text)
    assert parsed.name == "Max Mustermann c/o Sohle & Co. GmbH"
    assert parsed.street == "Hauptstraße 5"
    assert parsed.lines() == (
        "Max Mustermann",
        "c/o Sohle & Co. GmbH",
        "Hauptstraße 5",
        "10115 Berlin",
    )


@pytest.mark.parametrize(
    ("text", "country", "postcode", "city"),
    [
        ("Stephansplatz 1, 1010 Wien, Österreich", "AT", "1010", "Wien"),
        ("Stephansplatz 1\n1010 Wien\nAustria", "AT", "1010", "Wien"),
        ("Stephansplatz 1 1010 Wien Österreich", "AT", "1010", "Wien"),
        ("Stephansplatz 1, A-1010 Wien", "AT", "1010", "Wien"),
        ("Stephansplatz 1, 1010 Wien", "AT", "1010", "Wien"),
        ("Bahnhofstrasse 3, 8001 Zürich, Schweiz", "CH", "8001", "Zürich"),
        ("Bahnhofstrasse 3, 8001 Zürich", "CH", "8001", "Zürich"),
        ("Bahnhofstrasse 3, CH-3011 Bern", "CH", "3011", "Bern"),
        ("Keizersgracht 12, 1015 CS Amsterdam, Niederlande", "NL", "1015 CS", "Amsterdam"),
        ("Keizersgracht 12, 1015cs Amsterdam, Netherlands", "NL", "1015 CS", "Amsterdam"),
        ("Rue de la Loi 16, 1000 Bruxelles, Belgien", "BE", "1000", "Bruxelles"),
        ("12 rue de la Paix, 75002 Paris, France", "FR", "75002", "Paris"),
        ("2, rue du Fort, L-1111 Luxembourg", "LU", "1111", "Luxembourg"),
        ("ul. Marszałkowska 1, 00-950 Warszawa, Polen", "PL", "00-950", "Warszawa"),
        ("Vodičkova 12, 110 00 Praha 1, Tschechien", "CZ", "110 00", "Praha 1"),
        ("Strøget 1, 1160 København, Dänemark", "DK", "1160", "København"),
    ],
)
def test_other_countries(text: str, country: str, postcode: str, city: str) -> None:
    parsed = parse_address(text)
    assert (parsed.country, parsed.postcode, parsed.city) == (country, postcode, city)


def test_the_default_country_reads_postcodes_first() -> None:
    assert parse_address("Hauptplatz 1, 8010 Graz", default_country="AT").country == "AT"
    assert parse_address("Marktgasse 1, 3011 Irgendwo", default_country="CH").country == "CH"
    with pytest.raises(AddressProblem) as problem:  # Austria? Switzerland? Belgium? Ask.
        parse_address("Marktgasse 1, 3011 Irgendwo")
    assert problem.value.reason == "country"


def test_a_postcode_two_shipped_countries_share_needs_the_country_named() -> None:
    zones = ["DE", "AT", "CH"]
    with pytest.raises(AddressProblem) as problem:
        parse_address("Bahnhofstrasse 5, 3600 Thun", countries=zones)
    assert problem.value.reason == "country"
    named = parse_address("Anna Muster, Bahnhofstrasse 5, 3600 Thun, Schweiz", countries=zones)
    assert (named.country, named.postcode, named.city) == ("CH", "3600", "Thun")
    assert parse_address("Hauptstraße 5, 10115 Berlin", countries=zones).country == "DE"


def test_the_shops_countries_settle_a_four_digit_postcode() -> None:
    assert parse_address("Marktgasse 1, 3011 Irgendwo", countries=["DE", "CH"]).country == "CH"
    with pytest.raises(AddressProblem) as problem:
        parse_address("Marktgasse 1, 3011 Irgendwo", countries=["DE"])
    assert problem.value.reason == "postcode"


def test_a_named_country_wins_over_the_shops_countries() -> None:
    assert parse_address("Stephansplatz 1, 1010 Wien", countries=["DE"]).country == "AT"
    text = "Stephansplatz 1, 1010 Wien, Österreich"
    assert parse_address(text, countries=["DE"]).country == "AT"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  \n , ;", "empty"),
        ("Lieferadresse:", "empty"),
        ("Max Mustermann", "postcode"),
        ("Hauptstraße 5, Berlin", "postcode"),
        ("Deutschland", "postcode"),
        ("Hauptstraße 5, 10115", "city"),
        ("Hauptstraße 5\n10115\nDeutschland", "city"),
        ("Hauptstraße, 10115 Berlin", "street"),
        ("10115 Berlin", "street"),
        ("Max Mustermann, 10115 Berlin", "street"),
        ("Hauptstraße 5, 10115 Berlin, Österreich", "postcode"),  # not an Austrian postcode
        ("x" * 401, "too_long"),
        ("Zeile\n" * 12, "too_long"),
    ],
)
def test_what_is_missing_is_named(text: str, reason: str) -> None:
    with pytest.raises(AddressProblem) as problem:
        parse_address(text)
    assert problem.value.reason == reason


def test_lines_add_the_country_only_abroad() -> None:
    assert MAX.lines() == ("Max Mustermann", "Hauptstraße 5", "10115 Berlin")
    vienna = _address("Stephansplatz 1", "1010", "Wien", "AT")
    assert vienna.lines() == ("Stephansplatz 1", "1010 Wien", "Österreich")
    assert vienna.lines(home="AT") == ("Stephansplatz 1", "1010 Wien")


def test_json_round_trip() -> None:
    assert Address.from_json(MAX.to_json()) == MAX
    nameless = _address("Hauptstraße 5", "10115", "Berlin")
    assert Address.from_json(nameless.to_json()) == nameless


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"street": "Hauptstraße 5", "postcode": "10115", "city": "Berlin"},
        {"street": "Hauptstraße 5", "postcode": "10115", "city": "Berlin", "country": "Berlin"},
        {"street": "", "postcode": "10115", "city": "Berlin", "country": "DE"},
        {"street": 5, "postcode": "10115", "city": "Berlin", "country": "DE"},
        {"name": 7, "street": "Hauptstraße 5", "postcode": "10115", "city": "B", "country": "DE"},
    ],
)
def test_from_json_refuses_what_is_not_an_address(data: dict[str, object]) -> None:
    assert Address.from_json(data) is None


def test_country_words() -> None:
    assert country_code("Österreich") == country_code("austria") == country_code("AT") == "AT"
    assert country_code("Mordor") is None
    assert country_name("ch") == "Schweiz"
    assert country_name("US") == "US"


# Property tests: any text, and addresses rendered in every common layout.

_FIRST = st.sampled_from(["Max", "Erika", "Jürgen", "Ayşe", "Anna-Lena", "Zoë", "Mehmet"])
_LAST = st.sampled_from(["Mustermann", "Müller", "Öztürk", "von Bülow", "Nguyen", "Weiß"])
_COMPANY = st.sampled_from(["Sohle & Co. GmbH", "Firma Beispiel", "Familie Schmidt"])
_STEM = st.sampled_from(["Haupt", "Linden", "Bahnhof", "Goethe", "Kastanien", "Mühlen"])
_FIXED_STREETS = st.sampled_from(
    ["Unter den Linden", "Straße des 17. Juni", "Neue Schönhauser Straße", "Karl-Marx-Allee"]
)
_STREET_FORMS = ["{}straße", "{}str.", "{}weg", "{}allee", "Am {}platz", "An der {}kirche"]
_NUMBERS = st.integers(1, 999).flatmap(
    lambda n: st.sampled_from([f"{n}", f"{n}a", f"{n} b", f"{n}-{n + 2}", f"{n}/3"])
)
_PLACES = {
    "DE": (st.integers(1067, 99998).map("{:05d}".format), ["Berlin", "Frankfurt am Main"]),
    "AT": (st.integers(1010, 9992).map(str), ["Wien", "Sankt Pölten", "Graz"]),
    "CH": (st.integers(1000, 9658).map(str), ["Zürich", "Bern", "La Chaux-de-Fonds"]),
    "NL": (
        st.tuples(st.integers(1000, 9999), st.sampled_from(["AB", "CS", "XY"])).map(
            lambda pair: f"{pair[0]} {pair[1]}"
        ),
        ["Amsterdam", "Den Haag"],
    ),
    "FR": (st.integers(1000, 95999).map("{:05d}".format), ["Paris", "Lyon"]),
    "PL": (st.integers(0, 99999).map(lambda n: f"{n // 1000:02d}-{n % 1000:03d}"), ["Kraków"]),
}


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    """An address a customer could live at, with or without a name and a c/o line."""
    name = draw(
        st.one_of(
            st.none(),
            st.builds("{} {}".format, _FIRST, _LAST),
            st.builds("{} {} c/o {}".format, _FIRST, _LAST, _COMPANY),
        )
    )
    street_name = draw(
        st.one_of(_FIXED_STREETS, st.builds(str.format, st.sampled_from(_STREET_FORMS), _STEM))
    )
    country = draw(st.sampled_from(sorted(_PLACES)))
    postcodes, cities = _PLACES[country]
    street = f"{street_name} {draw(_NUMBERS)}"
    return _address(street, draw(postcodes), draw(st.sampled_from(cities)), country, name)


@given(addresses(), st.sampled_from(["\n", ", ", " ", "\n\n", " ,\n"]), st.booleans())
@settings(max_examples=300)
def test_a_rendered_address_parses_back_to_itself(
    address: Address, separator: str, with_country: bool
) -> None:
    lines = address.lines(home="XX" if with_country else "DE")
    assert parse_address(separator.join(lines)) == address


@given(addresses())
def test_an_address_at_home_needs_no_country_line(address: Address) -> None:
    text = "\n".join(address.lines(home=address.country))
    assert parse_address(text, default_country=address.country) == address


_ADDRESSY = st.lists(
    st.sampled_from(
        [*"0123456789 ,;.-/\nabcAZäöüßÖ", "c/o", "str.", "Wien", "A-", "Österreich", "Am", "NL"]
    ),
    max_size=60,
).map("".join)
"""Text made of the pieces addresses are made of, to reach deep into the parser."""


@given(st.one_of(st.text(max_size=500), _ADDRESSY), st.sampled_from(["DE", "AT", "US", "de"]))
@settings(max_examples=500)
def test_any_text_is_an_address_or_an_address_problem(text: str, default: str) -> None:
    try:
        address = parse_address(text, default_country=default)
    except AddressProblem as problem:
        assert problem.reason in ("street", "postcode", "city", "empty", "too_long")
        return
    assert address.street and address.postcode and address.city
    assert any(char.isdigit() for char in address.street)
    assert len(address.country) == 2
    assert address.country.isupper()
    assert Address.from_json(address.to_json()) == address
