"""Hypothesis strategies that build valid content of every type."""

from __future__ import annotations

from hypothesis import strategies as st

from theke.content import (
    Buttons,
    CallButton,
    Card,
    Carousel,
    Content,
    Media,
    PostbackButton,
    QuickReplies,
    QuickReply,
    Text,
    Typing,
    UrlButton,
)

# Any Unicode (emoji, RTL, NUL, markup), plus words and sentences so splits are exercised.
_words = st.lists(
    st.sampled_from(["Laufschuh", "Größe", "42.", "ok!", "🏃‍♀️", "שלום", "<b>", "\x00", "\n\n"]),
    min_size=1,
    max_size=60,
).map(" ".join)
texts = st.one_of(st.text(min_size=1, max_size=300), _words)
titles = st.text(min_size=1, max_size=80)
payloads = st.text(min_size=1, max_size=60)
urls = st.builds(
    "{}://{}.{}/{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    st.sampled_from(["de", "com", "shop"]),
    st.from_regex(r"[A-Za-z0-9/_.?=&%-]{0,30}", fullmatch=True),
)
phones = st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)

quick_reply = st.builds(QuickReply, title=titles, payload=payloads)
buttons = st.one_of(
    st.builds(PostbackButton, title=titles, payload=payloads),
    st.builds(UrlButton, title=titles, url=urls),
    st.builds(CallButton, title=titles, phone=phones),
)
_optional = st.none() | st.text(min_size=1, max_size=40)
cards = st.builds(
    Card,
    title=titles,
    subtitle=st.none() | st.text(min_size=1, max_size=400),
    image_url=st.none() | urls,
    url=st.none() | urls,
    price=_optional,
    buttons=st.lists(buttons, max_size=3).map(tuple),
)

contents: st.SearchStrategy[Content] = st.one_of(
    st.builds(Text, text=texts),
    st.builds(
        QuickReplies, text=texts, replies=st.lists(quick_reply, min_size=1, max_size=13).map(tuple)
    ),
    st.builds(Buttons, text=texts, buttons=st.lists(buttons, min_size=1, max_size=3).map(tuple)),
    cards,
    st.builds(Carousel, cards=st.lists(cards, min_size=1, max_size=10).map(tuple)),
    st.builds(
        Media,
        kind=st.sampled_from(["image", "audio", "video", "file"]),
        url=urls,
        caption=st.none() | st.text(min_size=1, max_size=1024),
        filename=_optional,
    ),
    st.builds(
        Typing, seconds=st.floats(min_value=0, max_value=10, exclude_min=True, allow_nan=False)
    ),
)
