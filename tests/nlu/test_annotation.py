"""Inline entity annotations: every form Rasa writes, and broken ones named clearly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.nlu.annotation import AnnotationError, parse_annotated
from theke.nlu.data import Annotation


def test_plain_text_has_no_annotations() -> None:
    assert parse_annotated("wie lange dauert der Versand?") == ("wie lange dauert der Versand?", ())


def test_entity_in_round_brackets() -> None:
    text, annotations = parse_annotated("Habt ihr [Laufschuhe](category) [unter 100 Euro](price)?")
    assert text == "Habt ihr Laufschuhe unter 100 Euro?"
    assert annotations == (Annotation(9, 19, "category"), Annotation(20, 34, "price"))
    assert [text[a.start : a.end] for a in annotations] == ["Laufschuhe", "unter 100 Euro"]


def test_synonym_value_after_a_colon_and_in_json() -> None:
    _, old = parse_annotated("coole [Treter](category:sneaker)")
    _, new = parse_annotated(
        'coole [Treter]{"entity": "category", "value": "sneaker", "role": "x"}'
    )
    assert old == new == (Annotation(6, 12, "category", "sneaker"),)


def test_brackets_without_a_label_stay_text() -> None:
    assert parse_annotated("Größe [43] bitte") == ("Größe [43] bitte", ())


@pytest.mark.parametrize(
    ("example", "problem"),
    [
        ("Ich will [Air Max](product", "never closed"),
        ("Ich will [](product)", "no text"),
        ("Ich will [Air Max](two words)", "not an entity name"),
        ('Ich will [Air Max]{"value": "x"}', '"entity"'),
        ("Ich will [Air Max]{entity: product}", "not JSON"),
    ],
)
def test_broken_annotations_say_what_is_wrong(example: str, problem: str) -> None:
    with pytest.raises(AnnotationError, match=problem):
        parse_annotated(example)


_words = st.text(st.characters(blacklist_characters="[](){}"), min_size=1, max_size=12).filter(
    str.strip
)


@given(
    st.lists(
        st.tuples(_words, st.one_of(st.none(), st.from_regex(r"[a-z_]{1,10}", fullmatch=True))),
        max_size=6,
    )
)
def test_annotations_round_trip(parts: list[tuple[str, str | None]]) -> None:
    source = " ".join(f"[{w}]({label})" if label else w for w, label in parts)
    text, annotations = parse_annotated(source)
    assert text == " ".join(w for w, _ in parts)
    labelled = [(w, label) for w, label in parts if label]
    assert [(text[a.start : a.end], a.entity) for a in annotations] == labelled


@given(st.text(max_size=200))
def test_any_text_parses_or_fails_cleanly(source: str) -> None:
    try:
        text, annotations = parse_annotated(source)
    except AnnotationError as exc:
        assert 0 <= exc.column <= len(source)
    else:
        assert all(0 <= a.start < a.end <= len(text) for a in annotations)


def test_brackets_inside_a_value_are_read_or_refused() -> None:
    text, annotations = parse_annotated(
        'die [Air Max]{"entity": "product", "value": "Air Max (90)"} bitte'
    )
    assert text == "die Air Max bitte"
    assert annotations == (Annotation(4, 11, "product", "Air Max (90)"),)
    with pytest.raises(AnnotationError, match="inside an annotation"):
        parse_annotated("x [y](brand:wert (neu)) z")
