"""A trained model answers what customers write: intents, out-of-scope, entities, language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.nlu.shop import shop_data
from theke.nlu.model import NluModel
from theke.nlu.settings import NluSettings
from theke.nlu.training import train_nlu

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> NluModel:
    return train_nlu(shop_data(tmp_path_factory.mktemp("nlu")), NluSettings(threshold=0.5))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Wie lange dauert die Lieferung nach Berlin?", "shipping"),
        ("versand dauert wie lange??", "shipping"),
        ("kann ich die schuhe zurueckschicken", "returns"),
        ("RÜCKSENDUNG!!!", "returns"),
        ("Habt ihr Laufschuhe unter 100 Euro in 43?", "product_search"),
        ("Hallooo 👋", "greet"),
        ("how long is delivery to Vienna", "shipping"),
        ("Can I send the sneakers back?", "returns"),
    ],
)
def test_customers_are_understood(model: NluModel, text: str, intent: str) -> None:
    parse = model.parse(text)
    assert parse.intent is not None, parse.ranking
    assert parse.intent.name == intent


def test_german_training_carries_to_english_and_back(tmp_path: Path) -> None:
    german, english = shop_data(tmp_path)
    only_german = train_nlu([german])
    assert only_german.parse("how much does shipping cost?").ranking[0].name == "shipping"
    only_english = train_nlu([english])
    assert only_english.parse("Ich möchte mein Geld zurück").ranking[0].name == "returns"


def test_ranking_is_sorted_and_calibrated(model: NluModel) -> None:
    ranking = model.parse("wann kommt mein paket").ranking
    confidences = [score.confidence for score in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.0 < sum(confidences) <= 1.0 + 1e-6
    assert ranking[0].name == "shipping"


def test_out_of_scope_has_no_intent_but_keeps_the_guesses(model: NluModel) -> None:
    parse = model.parse("Wer hat 1954 die Fußball-WM gewonnen?")
    assert parse.intent is None
    assert len(parse.ranking) == 4


def test_entities_from_rules_catalog_and_learnt_annotations(model: NluModel) -> None:
    parse = model.parse(
        "Habt ihr Turnschuhe von Addidas in schwarz unter 80 Euro in 43?", now=MONDAY
    )
    found = {e.entity: e for e in parse.entities}
    assert found["category"].value == "sneaker"
    assert found["brand"].value == "adidas"
    assert found["color"].value == "black"
    assert found["price"].value == {"min": None, "max": 80.0, "currency": "EUR"}
    assert found["size"].value == {"system": "EU", "value": 43.0}
    for entity in parse.entities:
        assert parse.text[entity.start : entity.end] == entity.text


def test_order_numbers_by_the_bots_pattern(model: NluModel) -> None:
    parse = model.parse("wo bleibt meine bestellung SC-123456?")
    assert [(e.entity, e.value) for e in parse.entities if e.entity == "order_number"] == [
        ("order_number", "SC-123456")
    ]


def test_language_follows_the_text_and_falls_back_to_the_customer(model: NluModel) -> None:
    assert model.parse("how long does shipping take to Austria").language == "en"
    assert model.parse("wie lange dauert der Versand nach Österreich").language == "de"
    assert model.parse("Hallo", language="en").language == "en"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "x" * 5000, "Привет, есть кроссовки?", "\x00\x07 hallo \u200b", "???!!!"],
)
def test_bad_input_gets_a_sensible_parse(model: NluModel, text: str) -> None:
    parse = model.parse(text)
    assert len(parse.text) <= 1000
    assert parse.language in ("de", "en")
    if not text.strip() or text.strip("?!") == "":
        assert parse.intent is None or parse.intent.confidence < 1.0
    for entity in parse.entities:
        assert parse.text[entity.start : entity.end] == entity.text


def test_off_topic_questions_are_out_of_scope_by_similarity(model: NluModel) -> None:
    parse = model.parse("What is the meaning of life?")
    assert parse.intent is None
    assert parse.extras["similarity"] < model.settings.min_similarity
    assert parse.ranking  # the guesses stay for a fallback that offers them


def test_the_similarity_floor_can_be_switched_off(tmp_path: Path) -> None:
    lenient = train_nlu(shop_data(tmp_path), NluSettings(threshold=0.0, min_similarity=-1.0))
    assert lenient.parse("What is the meaning of life?").intent is not None


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07 \u200b", "???!!!", "😀😀😀", "💩"])
def test_messages_without_words_have_no_intent(model: NluModel, text: str) -> None:
    assert model.parse(text).intent is None


@pytest.mark.parametrize(
    "text", ["\ud800 hallo versand", "hallo \udcff", "Gro\u0308ße 43 von Nike"]
)
def test_broken_and_decomposed_unicode_is_read_like_the_clean_text(
    model: NluModel, text: str
) -> None:
    parse = model.parse(text)
    parse.text.encode("utf-8")  # no lone surrogates left
    for entity in parse.entities:
        assert parse.text[entity.start : entity.end] == entity.text
    if "Nike" in text:
        found = {e.entity: e for e in parse.entities}
        assert found["brand"].text == "Nike"
        assert found["size"].value == {"system": "EU", "value": 43.0}


def test_learnt_entities_of_rule_kinds_carry_the_rules_values(model: NluModel) -> None:
    for text in ("zeig mir rote turnschuhe", "sandalen in 43", "ich weiß nicht"):
        for entity in model.parse(text).entities:
            if entity.entity == "size":
                assert entity.value is None or isinstance(entity.value, dict)
            if entity.entity == "color":
                assert entity.value is None or entity.value in {"red", "white", "black"}


def test_the_south_is_not_a_suede_shoe(tmp_path: Path) -> None:
    from theke.nlu.gazetteer import Gazetteer

    catalog = Gazetteer.from_tables({"product": ["Suede", "Samba"]}, {})
    assert catalog.find("Liefert ihr auch in den Süden?") == []
    assert [e.value for e in catalog.find("die Sambas in weiß")] == ["Samba"]


def test_sentences_embedded_in_one_batch_are_understood_alike(model: NluModel) -> None:
    texts = ["Wie lange dauert der Versand?", "Hallo", "👍", "Kann ich mit PayPal zahlen?"]
    batch = model.embed_many(texts)
    assert set(batch) == {"Wie lange dauert der Versand?", "Hallo", "Kann ich mit PayPal zahlen?"}
    for text, embedding in batch.items():
        alone, primed = model.parse(text), model.parse(text, embedding=embedding)
        assert primed.intent == alone.intent
        assert [s.name for s in primed.ranking] == [s.name for s in alone.ranking]
        assert alone.vector is not None
        assert float(abs(alone.vector - embedding).max()) < 1e-4
