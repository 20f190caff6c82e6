"""The fast normaliser agrees with the plain definition on Latin text with accents and emoji."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from theke.dialogue import normalize

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _reference(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    bare = "".join(
        char for char in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(char)
    )
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


latin = st.text(
    st.sampled_from(list("abcxyzABCXYZ äöüßÄÖÜéèêàçñÉÑ0123456789 !?.,-_'\"😀👟\t\n")), max_size=60
)


@given(latin)
def test_fast_normalize_matches_the_definition(text: str) -> None:
    assert normalize(text) == _reference(text)


@given(st.text(st.characters(max_codepoint=127), max_size=80))
def test_ascii_text_matches_the_definition(text: str) -> None:
    assert normalize(text) == _reference(text)
