"""Hypothesis strategies that build valid consent requests, and one hand-written example."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.content.strategies import texts, urls
from theke.content import Consent

__all__ = ["SAMBA_OG", "consents", "long_texts", "topics"]

topics = st.from_regex(r"[A-Za-z0-9_.:-]{1,200}", fullmatch=True)
long_texts = st.lists(texts, min_size=1, max_size=40).map("\n\n".join)
"""Texts up to about 12,000 characters: several messages on every channel."""

consents = st.builds(
    Consent,
    text=st.one_of(texts, long_texts, st.sampled_from([" ", "\n\n", "\t" * 2500])),
    title=st.text(min_size=1, max_size=65),
    topic=topics,
    image_url=st.none() | urls | st.just("/catalog/img/samba-og.jpg"),
)
"""Any valid consent request: blank titles and texts, long texts and server paths included."""

SAMBA_OG = Consent(
    text=(
        "Der Samba OG in Größe 42 ist gerade ausverkauft. "
        "Soll ich dir Bescheid sagen, sobald er wieder da ist?"
    ),
    title="Bescheid, wenn der Samba OG wieder da ist",
    topic="back_in_stock",
    image_url="/catalog/img/samba-og.jpg",
)
"""Asking a customer whether they want to hear when a sold-out shoe is back."""
