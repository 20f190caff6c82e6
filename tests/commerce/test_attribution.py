"""Attribution: the link, ad or campaign that brought a conversation, carried by its orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from theke.channels.webchat.source import web_referral
from theke.commerce.attribution import WINDOW, attributed, source_from

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_an_m_me_ref_and_an_ad_are_sources_a_bare_source_is_not() -> None:
    link = source_from(
        {"referral": {"source": "SHORTLINK", "type": "OPEN_THREAD", "ref": "lena"}}, NOW
    )
    assert link == {
        "source": "SHORTLINK",
        "type": "OPEN_THREAD",
        "ref": "lena",
        "at": NOW.isoformat(),
    }
    ad = source_from({"referral": {"source": "ADS", "ad_id": "6045"}}, NOW)
    assert ad is not None and ad["ad_id"] == "6045"
    assert source_from({"referral": {"source": "ADS"}}, NOW) is None
    assert source_from({}, NOW) is None
    assert source_from({"referral": "lena"}, NOW) is None


def test_an_order_counts_for_a_click_within_thirty_days_only() -> None:
    source = source_from({"referral": {"source": "WEB", "utm_campaign": "sale"}}, NOW)
    assert attributed(source, NOW + WINDOW) == source
    assert attributed(source, NOW + WINDOW + timedelta(seconds=1)) is None
    assert attributed({"utm_campaign": "x", "at": "yesterday"}, NOW) is None
    assert attributed(None, NOW) is None


def test_the_widget_keeps_only_campaign_parameters_as_short_text() -> None:
    found = web_referral(
        {"utm_source": "instagram", "utm_campaign": " lena\n fit ", "token": "secret", "ref": 5}
    )
    assert found == {"source": "WEB", "utm_source": "instagram", "utm_campaign": "lena fit"}
    assert web_referral({"utm_term": "x" * 500})["utm_term"] == "x" * 200
    assert web_referral({"other": "x"}) == {}
    assert web_referral(None) == {}


@given(st.dictionaries(st.text(max_size=20), st.one_of(st.text(), st.integers(), st.none())))
def test_any_source_object_is_read_without_error(source: dict[str, object]) -> None:
    found = web_referral(source)
    assert all(isinstance(value, str) and len(value) <= 200 for value in found.values())
    assert source_from({"referral": found}, NOW) is None or found
