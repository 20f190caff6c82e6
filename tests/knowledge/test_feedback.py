"""What follows an FAQ answer: the feedback question and the follow-up entries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.knowledge.conftest import LANGUAGES
from theke.content import QuickReply
from theke.knowledge import (
    Entry,
    faq_payload,
    feedback_prompt,
    follow_up_replies,
    parse_faq,
    parse_feedback,
)


def test_the_feedback_question_asks_in_the_conversation_language() -> None:
    german = feedback_prompt("returns", "de")
    assert german.text == "Hat dir das geholfen?"
    assert [(r.title, r.payload) for r in german.replies] == [
        ("Ja", "theke:helpful:returns:yes"),
        ("Nein", "theke:helpful:returns:no"),
    ]
    assert feedback_prompt("returns", "de", address="Sie").text == "Hat Ihnen das geholfen?"
    english = feedback_prompt("returns", "en")
    assert (english.text, english.replies[0].title) == ("Was this helpful?", "Yes")
    assert feedback_prompt("returns", "fr").text == "Was this helpful?"


def test_a_tapped_feedback_reply_is_read_back() -> None:
    for reply in feedback_prompt("shipping_time", "de").replies:
        assert parse_feedback(reply.payload) == ("shipping_time", reply.title == "Ja")
    assert parse_feedback("theke:helpful:returns:maybe") is None
    assert parse_feedback("theke:helpful::yes") is None
    assert parse_feedback("theke:helpful:Returns:yes") is None
    assert parse_feedback("GET_STARTED") is None


@given(st.text(max_size=200))
def test_any_payload_is_feedback_or_none(payload: str) -> None:
    parsed = parse_feedback(payload)
    if parsed is not None:
        entry_id, helpful = parsed
        assert payload == f"theke:helpful:{entry_id}:{'yes' if helpful else 'no'}"


@given(st.from_regex(r"[a-z0-9_]{1,64}", fullmatch=True), st.booleans())
def test_every_entry_id_round_trips(entry_id: str, helpful: bool) -> None:
    reply = feedback_prompt(entry_id, "en").replies[0 if helpful else 1]
    assert parse_feedback(reply.payload) == (entry_id, helpful)
    assert parse_faq(faq_payload(entry_id)) == entry_id


@given(st.text(max_size=200))
def test_any_payload_is_an_faq_payload_or_none(payload: str) -> None:
    entry_id = parse_faq(payload)
    assert entry_id is None or payload == f"theke:faq:{entry_id}"


def test_follow_ups_are_quick_replies_titled_in_the_language(
    shop_entries: tuple[Entry, ...],
) -> None:
    by_id = {entry.id: entry for entry in shop_entries}
    returns = by_id["returns"]
    assert follow_up_replies(returns, by_id, "de") == (
        QuickReply(title="Rücksendekosten", payload="theke:faq:return_costs"),
        QuickReply(title="Erstattung", payload="theke:faq:refund_time"),
        QuickReply(title="Umtausch", payload="theke:faq:exchange"),
    )
    english = follow_up_replies(returns, shop_entries, "en")
    assert [reply.title for reply in english] == ["Return costs", "Refund", "Exchange"]
    assert follow_up_replies(by_id["shipping_abroad"], by_id, "de") == ()


def test_a_follow_up_that_is_gone_is_skipped(shop_entries: tuple[Entry, ...]) -> None:
    by_id = {entry.id: entry for entry in shop_entries if entry.id != "refund_time"}
    titles = [reply.title for reply in follow_up_replies(by_id["returns"], by_id, LANGUAGES[0])]
    assert titles == ["Rücksendekosten", "Umtausch"]
