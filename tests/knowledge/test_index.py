"""Finding the FAQ entry that answers a customer's message, words only and with USE."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.knowledge.conftest import LANGUAGES, customer_messages, out_of_scope
from theke.content import Text
from theke.knowledge import Entry, KnowledgeBase, KnowledgeSettings
from theke.nlu.encoder import Encoder, get_encoder

THRESHOLD = KnowledgeSettings().threshold


@pytest.fixture(scope="module")
def words_only(shop_entries: tuple[Entry, ...]) -> KnowledgeBase:
    return KnowledgeBase.build(shop_entries, LANGUAGES, None)


@pytest.fixture(scope="module")
def use() -> Encoder:
    encoder = get_encoder("use")
    assert encoder is not None
    return encoder


@pytest.fixture(scope="module")
def with_use(shop_entries: tuple[Entry, ...], use: Encoder) -> KnowledgeBase:
    return KnowledgeBase.build(shop_entries, LANGUAGES, use)


def _entry(
    entry_id: str, questions: Mapping[str, tuple[str, ...]], answers: tuple[str, ...]
) -> Entry:
    return Entry(
        id=entry_id,
        titles=MappingProxyType({language: entry_id for language in answers}),
        questions=MappingProxyType(questions),
        answers=MappingProxyType({lang: ((Text(text=f"{entry_id} {lang}"),),) for lang in answers}),
    )


def _best(kb: KnowledgeBase, text: str, language: str = "de") -> str | None:
    matches = kb.search(text, language)
    return matches[0].entry_id if matches else None


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("versandkostn?", "shipping_cost"),  # typo
        ("liefert ihr auch nach oesterreich", "shipping_abroad"),  # no umlaut
        ("LIEFERZEIT???", "shipping_time"),  # shouting
        ("wo bleibt mein paket 😡", "order_tracking"),  # emoji
        ("kann ich die in ner anderen größe haben", "exchange"),  # colloquial
        ("sendungsverfolgung", "order_tracking"),  # the title alone
        ("wrong shipping address", "change_address"),  # English in a German chat
    ],
)
def test_customers_find_the_answer_without_the_encoder(
    words_only: KnowledgeBase, text: str, entry_id: str
) -> None:
    assert _best(words_only, text) == entry_id


def test_nine_of_ten_customer_messages_find_their_answer(
    words_only: KnowledgeBase, with_use: KnowledgeBase
) -> None:
    messages = customer_messages()
    for kb in (words_only, with_use):
        right = sum(_best(kb, text) == entry_id for text, entry_id in messages)
        assert right >= 0.9 * len(messages)
    confident = sum(
        (m := with_use.search(text, "de"))[0].entry_id == entry_id and m[0].score >= THRESHOLD
        for text, entry_id in messages
    )
    assert confident >= 0.8 * len(messages)


def test_out_of_scope_messages_stay_below_the_threshold(
    words_only: KnowledgeBase, with_use: KnowledgeBase
) -> None:
    messages = out_of_scope()
    for kb in (words_only, with_use):
        answered = [
            text
            for text, lang in messages
            if (m := kb.search(text, lang)) and m[0].score >= THRESHOLD
        ]
        assert len(answered) <= 0.1 * len(messages), answered
    assert with_use.search("wie wird das wetter morgen?", "de")[0].score < THRESHOLD


def test_the_encoder_understands_what_shares_no_words(with_use: KnowledgeBase) -> None:
    assert _best(with_use, "meine treter sind nach einer woche auseinandergefallen") == "warranty"


def test_a_question_in_another_language_still_matches(use: Encoder) -> None:
    german_only = _entry("shipping_time", {"de": ("Wie lange dauert der Versand?",)}, ("de",))
    other = _entry("opening_hours", {"de": ("Wann habt ihr geöffnet?",)}, ("de",))
    kb = KnowledgeBase.build([german_only, other], LANGUAGES, use)
    assert _best(kb, "how long does delivery take", "en") == "shipping_time"


def test_scores_are_ordered_between_zero_and_one(words_only: KnowledgeBase) -> None:
    matches = words_only.search("wann kommt mein paket", "de", limit=10)
    assert len(matches) == 10
    assert len({match.entry_id for match in matches}) == 10
    scores = [match.score for match in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert sum(scores[:5]) < 1.0  # the rest is "none of them"


def test_two_entries_asked_alike_share_the_confidence() -> None:
    alone = _entry("cost", {"de": ("Was kostet der Versand?",)}, ("de",))
    twin = _entry("cost_abroad", {"de": ("Was kostet der Versand ins Ausland?",)}, ("de",))
    (single,) = KnowledgeBase.build([alone], LANGUAGES, None).search("was kostet versand", "de")
    first, second = KnowledgeBase.build([alone, twin], LANGUAGES, None).search(
        "was kostet versand", "de"
    )
    assert single.score >= THRESHOLD
    assert first.score < single.score and second.score < THRESHOLD


def test_the_given_embedding_is_used(with_use: KnowledgeBase, use: Encoder) -> None:
    text = "my sneakers fell apart after a week"
    vector = use.encode([text])[0]
    assert with_use.search(text, "en", embedding=vector) == with_use.search(text, "en")
    with pytest.raises(ValueError, match="shape"):
        with_use.search(text, "en", embedding=np.zeros(3, np.float32))


def test_among_equal_entries_the_one_answering_in_the_language_wins() -> None:
    asked = {"de": ("Wie lange dauert der Versand?",)}
    german, english = _entry("versand", asked, ("de",)), _entry("shipping", asked, ("en",))
    kb = KnowledgeBase.build([german, english], LANGUAGES, None)
    assert _best(kb, "wie lange dauert der versand", "en") == "shipping"
    assert _best(kb, "wie lange dauert der versand", "de") == "versand"


def test_nothing_to_search_finds_nothing(words_only: KnowledgeBase) -> None:
    assert words_only.search("", "de") == ()
    assert words_only.search("  ?! 😡", "de") == ()
    assert words_only.search("versand", "de", limit=0) == ()
    assert KnowledgeBase.build([], LANGUAGES, None).search("versand", "de") == ()


def test_an_entry_without_questions_never_matches() -> None:
    silent = _entry("silent", {}, ("de",))
    asked = _entry("asked", {"de": ("Was kostet der Versand?",)}, ("de",))
    kb = KnowledgeBase.build([silent, asked], LANGUAGES, None)
    assert [m.entry_id for m in kb.search("versand", "de", limit=5)] == ["asked"]
    assert "silent" in kb.entries


def test_a_very_long_message_is_searched_by_its_start(words_only: KnowledgeBase) -> None:
    text = "wo bleibt mein paket " + "bla " * 5000
    assert _best(words_only, text) == "order_tracking"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["de", "en", "fr"]), st.integers(0, 40))
def test_any_message_gets_sane_matches(text: str, language: str, limit: int) -> None:
    kb = _SMALL
    matches = kb.search(text, language, limit=limit)
    assert len(matches) <= min(limit, len(kb.ids))
    assert all(0.0 <= m.score <= 1.0 and m.entry_id in kb.entries for m in matches)


_SMALL = KnowledgeBase.build(
    [
        _entry(
            "shipping",
            {"de": ("Wie lange dauert der Versand?",), "en": ("Shipping time?",)},
            ("de", "en"),
        ),
        _entry("returns", {"de": ("Wie schicke ich etwas zurück?",)}, ("de",)),
        _entry("hours", {"en": ("When are you open?",)}, ("en",)),
    ],
    LANGUAGES,
    None,
)
