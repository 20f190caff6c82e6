"""The demo's NLU lookups name what the catalog sells, however customers write it."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import DEMO_BOT
from theke.nlu.data import TrainingData
from theke.nlu.gazetteer import Gazetteer
from theke.nlu.normalize import fold
from theke.nlu.yamlfile import read_nlu_yaml


def _data(language: str) -> TrainingData:
    return read_nlu_yaml(DEMO_BOT / "nlu" / f"{language}.yml", language)


def _catalog(column: str) -> set[str]:
    with (DEMO_BOT / "catalog" / "products.csv").open(encoding="utf-8", newline="") as file:
        return {row[column] for row in csv.DictReader(file)}


DATA = {language: _data(language) for language in ("de", "en")}
GAZETTEER = Gazetteer.from_tables(
    DATA["de"].merged(DATA["en"]).lookups, DATA["de"].merged(DATA["en"]).synonyms
)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("lookup", "column"), [("category", "category"), ("brand", "brand")])
def test_lookups_are_the_catalogs_values(language: str, lookup: str, column: str) -> None:
    assert set(DATA[language].lookups[lookup]) == _catalog(column)


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_model_of_the_catalog_is_a_product_value(language: str) -> None:
    assert set(DATA[language].lookups["product"]) == _catalog("name")


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_synonym_leads_to_a_value_of_a_lookup(language: str) -> None:
    """A synonym of a value in no lookup table would be ignored without a word."""
    values = {fold(v) for table in DATA[language].lookups.values() for v in table}
    synonyms = DATA[language].synonyms
    assert {
        written: value for written, value in synonyms.items() if fold(value) not in values
    } == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Habt ihr Laufschuhe unter 100 Euro in 43?", [("category", "running")]),
        ("basketballschuhe für meinen sohn", [("category", "basketball"), ("category", "kids")]),
        ("skater schuhe von vans", [("category", "skate"), ("brand", "Vans")]),
        ("trail running schuhe", [("category", "trail")]),
        ("running shoes under 80", [("category", "running")]),
        ("trainers for running", [("category", "running")]),
        ("suche Joggingschuhe", [("category", "running")]),
        ("Wanderschuhe oder Trekkingschuhe?", [("category", "trail"), ("category", "trail")]),
        ("hiking boots for my daughter", [("category", "trail"), ("category", "kids")]),
        ("weiße Sneaker für jeden Tag", [("category", "lifestyle")]),
        ("Kindersneaker mit Klett", [("category", "kids")]),
        ("Addidas Sambas", [("brand", "adidas"), ("product", "Samba OG")]),
        ("new ballance 574", [("brand", "New Balance"), ("product", "574")]),
        ("Nieke Air Force 1", [("brand", "Nike"), ("product", "Air Force 1 '07")]),
        ("chucks in rot", [("product", "Chuck Taylor All Star")]),
        ("superstar kids", [("product", "Superstar Kinder")]),
        ("I'm on my way, any discount on shoes?", []),
    ],
)
def test_customers_words_find_the_catalogs_values(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(e.entity, e.value) for e in GAZETTEER.find(text)] == expected
