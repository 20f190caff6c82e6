"""The learnt entity tagger: training on a shop's marked examples, tagging, storing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from theke.errors import ThekeError
from theke.nlu.annotation import parse_annotated
from theke.nlu.scoring import span_f1, span_f1_by_label
from theke.nlu.tagger import SlotTagger, TaggedText, TaggerError, tokenize

SHOP_EXAMPLES = [
    "Ich suche [Laufschuhe](category) in [blau](color)",
    "Habt ihr [Sneaker](category) von [Nike](brand)?",
    "[rote](color) [Winterjacke](category) bitte",
    "Zeig mir [Adidas](brand) [Jeans](category) in [schwarz](color)",
    "Gibt es den [Rucksack](category) auch in [grün](color)?",
    "Ich hätte gern [Sandalen](category) von [Birkenstock](brand)",
    "Habt ihr [Puma](brand) [Sneaker](category) in [weiß](color)?",
    "Ich brauche eine [Regenjacke](category) in [gelb](color)",
    "Gibt es [Wanderschuhe](category) von [Salomon](brand) in [braun](color)?",
    "Suche [Jeans](category) von [Levi's](brand)",
    "Zeigt mir bitte [Laufschuhe](category) von [Asics](brand)",
    "Habt ihr die [Mütze](category) in [rot](color)?",
    "[schwarze](color) [Stiefel](category) von [Dr. Martens](brand)",
    "Ich möchte ein [T-Shirt](category) in [grau](color)",
    "Gibt es [Hoodies](category) von [Nike](brand) in [blau](color)?",
    "Wo ist meine Bestellung?",
    "Wann habt ihr geöffnet?",
    "Kann ich [Sneaker](category) von [Adidas](brand) zurückgeben?",
    "Ich suche [Sandalen](category) in [beige](color)",
    "Habt ihr [Winterjacken](category) von [Jack Wolfskin](brand)?",
    "Zeig mir [grüne](color) [Rucksäcke](category)",
    "Gibt es [Stiefel](category) in [braun](color) von [Timberland](brand)?",
    "Hallo, ich suche [Laufschuhe](category) von [Nike](brand) in [schwarz](color)",
    "Danke, das war's",
]


def marked(text: str) -> TaggedText:
    """ "Ich suche [Laufschuhe](category)" as a training example."""
    plain, annotations = parse_annotated(text)
    return TaggedText(plain, tuple((a.start, a.end, a.entity) for a in annotations))


def found(tagger: SlotTagger, text: str) -> list[tuple[str, str]]:
    return [(entity.entity, entity.text) for entity in tagger.tag(text)]


@pytest.fixture(scope="module")
def shop() -> SlotTagger:
    return SlotTagger.train([marked(text) for text in SHOP_EXAMPLES])


def test_learns_categories_colours_and_brands(shop: SlotTagger) -> None:
    assert shop.labels == {"category", "color", "brand"}
    assert found(shop, "Habt ihr Stiefel von Puma in grau?") == [
        ("category", "Stiefel"),
        ("brand", "Puma"),
        ("color", "grau"),
    ]


def test_message_without_entities_gives_none(shop: SlotTagger) -> None:
    assert found(shop, "Wann habt ihr morgen geöffnet?") == []


def test_entities_are_the_text_they_point_at(shop: SlotTagger) -> None:
    text = "Ich suche   Laufschuhe von Nike in blau, bitte!"
    entities = shop.tag(text)
    assert entities
    for entity in entities:
        assert text[entity.start : entity.end] == entity.text == entity.value
        assert entity.extractor == "crf"
        assert 0.0 < entity.confidence <= 1.0


def test_round_trips_through_bytes(shop: SlotTagger) -> None:
    data = shop.to_bytes()
    loaded = SlotTagger.from_bytes(data)
    text = "Gibt es Sneaker von Adidas in schwarz?"
    assert loaded.tag(text) == shop.tag(text)
    assert loaded.labels == shop.labels
    assert loaded.to_bytes() == data


def test_without_annotations_tags_nothing() -> None:
    tagger = SlotTagger.train([marked("Wo ist meine Bestellung?"), marked("Hallo")])
    assert tagger.labels == frozenset()
    assert tagger.tag("Ich suche Laufschuhe in blau") == []
    assert SlotTagger.from_bytes(tagger.to_bytes()).tag("Laufschuhe") == []


def test_lookup_tables_teach_values_never_seen_in_examples() -> None:
    brands = ["Nike", "Adidas", "Puma", "Asics", "Salomon", "Birkenstock", "Vaude", "Ecco"]
    examples = [marked(f"Habt ihr Schuhe von [{brand}](brand)?") for brand in brands[:6]] + [
        marked(f"Ich suche was von [{brand}](brand)") for brand in brands[:6]
    ]
    examples += [marked("Habt ihr Schuhe von gestern?"), marked("Ich suche was von früher")]
    with_table = SlotTagger.train(examples, lookups={"brand": brands})
    assert found(with_table, "Habt ihr Schuhe von Ecco?") == [("brand", "Ecco")]
    restored = SlotTagger.from_bytes(with_table.to_bytes())
    assert found(restored, "Ich suche was von Vaude") == [("brand", "Vaude")]


def test_spans_cutting_through_a_word_are_widened_to_it() -> None:
    examples = [marked("Ich suche [Laufschuh](category)e in Größe 42")] * 3
    examples.append(marked("Ich suche [Sandal](category)en in Größe 40"))
    tagger = SlotTagger.train(examples)
    assert found(tagger, "Ich suche Laufschuhe in Größe 44") == [("category", "Laufschuhe")]


def test_tokens_keep_numbers_codes_and_hyphenated_words_whole() -> None:
    text = "Größe 44,5 für SC-123456 per e-mail, 100€ um 6:30 Uhr"
    words = [text[start:end] for start, end in tokenize(text)]
    assert words == [
        "Größe", "44,5", "für", "SC-123456", "per", "e-mail", ",", "100", "€", "um", "6:30", "Uhr",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "spans",
    [
        ((0, 99, "category"),),
        ((5, 3, "color"),),
        ((0, 4, "color"), (2, 6, "brand")),
        ((0, 4, ""),),
        ((0, 4, "col\x00or"),),
    ],
)
def test_impossible_spans_are_refused(spans: tuple[tuple[int, int, str], ...]) -> None:
    with pytest.raises(TaggerError, match="span"):
        TaggedText("Jeans in blau", spans)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a tagger",
        b"THEKE-SLOTS\n\x00\x00\x00\x05{oops",
        b"THEKE-SLOTS\n\x00\x00\x00\x02[]",
    ],
)
def test_refuses_bytes_it_did_not_write(data: bytes) -> None:
    with pytest.raises(ThekeError):
        SlotTagger.from_bytes(data)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-10],
        lambda data: data[: len(data) // 2],
        lambda data: data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
        lambda data: data.replace(b"lCRF", b"xCRF"),
    ],
    ids=["cut-end", "cut-half", "flipped-bit", "wrong-magic"],
)
def test_refuses_a_damaged_model(shop: SlotTagger, damage: Callable[[bytes], bytes]) -> None:
    with pytest.raises(TaggerError, match="model"):
        SlotTagger.from_bytes(damage(shop.to_bytes()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400))
@example(text="😀 Laufschuhe 👟 in blau!!! \x00\x07\u200b\ufeff")
@example(text="Nike " * 1000)
@example(text="\ud800 Sneaker \udfff")
@example(text="a" * 5000)
@example(text="")
def test_tag_never_fails_and_spans_are_sound(shop: SlotTagger, text: str) -> None:
    entities = shop.tag(text)
    end_of_last = 0
    for entity in entities:
        assert end_of_last <= entity.start < entity.end <= len(text)
        assert text[entity.start : entity.end] == entity.text
        assert entity.entity in shop.labels
        end_of_last = entity.end


def test_span_f1_counts_exact_matches_only() -> None:
    gold = [{(0, 5, "color"), (10, 15, "brand")}, {(3, 8, "category")}, set()]
    predicted = [{(0, 5, "color"), (10, 14, "brand")}, {(3, 8, "color")}, {(1, 2, "brand")}]
    scores = span_f1(gold, predicted)
    assert scores == {"precision": 0.25, "recall": 1 / 3, "f1": pytest.approx(2 / 7), "support": 3}
    by_label = span_f1_by_label(gold, predicted)
    assert by_label["color"] == {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1}
    assert by_label["category"]["f1"] == 0.0


def test_span_f1_of_nothing_is_zero() -> None:
    assert span_f1([set()], [set()]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
