"""What a valid canned response is, and when a reply is a shortcut for one."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.inbox.canned import (
    SHORTCUT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    UnknownShortcut,
    check,
    expand,
    normalize_shortcut,
)

CANNED = {"versand": "Wir versenden innerhalb von 24 Stunden.", "retoure": "30 Tage Rückgabe."}
_SHORTCUT_CHARS = string.ascii_lowercase + string.digits + "-_"

shortcuts = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(string.ascii_lowercase + string.digits),
    st.text(_SHORTCUT_CHARS, max_size=SHORTCUT_MAX - 1),
)


def _lookup(shortcut: str) -> str | None:
    return CANNED.get(shortcut)


# --- shortcuts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("versand", "versand"),
        ("/versand", "versand"),
        ("  /Versand ", "versand"),
        ("RUECK-gabe", "rueck-gabe"),
        ("faq_2", "faq_2"),
        ("7tage", "7tage"),
        ("a" * SHORTCUT_MAX, "a" * SHORTCUT_MAX),
    ],
)
def test_a_shortcut_is_kept_lower_case_without_its_slash(raw: str, kept: str) -> None:
    assert normalize_shortcut(raw) == kept


@pytest.mark.parametrize(
    "raw",
    [
        "versand kosten",
        "rückgabe",
        "-versand",
        "_versand",
        "//versand",
        "inbox/c",
        "versand!",
        "a" * (SHORTCUT_MAX + 1),
        "\u212a",  # the Kelvin sign, which lower() turns into an ASCII "k"
    ],
)
def test_a_shortcut_the_form_refuses_says_what_is_allowed(raw: str) -> None:
    allowed = r"nur Kleinbuchstaben, Ziffern, - und _ .*z\. B\. versand"
    with pytest.raises(ValueError, match=allowed):
        normalize_shortcut(raw)


@pytest.mark.parametrize("raw", ["", "   ", "/"])
def test_a_missing_shortcut_is_asked_for(raw: str) -> None:
    with pytest.raises(ValueError, match="Gib ein Kürzel an"):
        normalize_shortcut(raw)


@given(shortcuts)
def test_every_valid_shortcut_is_kept_as_it_is_however_it_is_typed(shortcut: str) -> None:
    assert normalize_shortcut(shortcut) == shortcut
    assert normalize_shortcut(f"  /{shortcut.upper()}\n") == shortcut


@given(st.text(max_size=60))
def test_a_normalized_shortcut_is_always_a_valid_one(raw: str) -> None:
    try:
        kept = normalize_shortcut(raw)
    except ValueError:
        return
    assert 1 <= len(kept) <= SHORTCUT_MAX
    assert set(kept) <= set(_SHORTCUT_CHARS)
    assert kept[0] not in "-_"
    assert normalize_shortcut(kept) == kept


# --- the whole form -----------------------------------------------------------------------


def test_check_trims_and_keeps_line_breaks_of_the_text() -> None:
    kept = check(" /Versand ", "  Versand   und\tLieferung ", "\r\nHallo!\r\n\r\nDein Team \n")
    assert kept == ("versand", "Versand und Lieferung", "Hallo!\n\nDein Team")


def test_check_names_the_field_and_its_limit() -> None:
    title = f"Der Titel ist zu lang: {TITLE_MAX + 1} Zeichen, höchstens {TITLE_MAX} gehen."
    with pytest.raises(ValueError, match=title):
        check("versand", "T" * (TITLE_MAX + 1), "Text")
    text = f"Der Text ist zu lang: {TEXT_MAX + 1} Zeichen, höchstens {TEXT_MAX} gehen."
    with pytest.raises(ValueError, match=text):
        check("versand", "Versand", "x" * (TEXT_MAX + 1))
    with pytest.raises(ValueError, match="Gib einen Titel an"):
        check("versand", "  ", "Text")
    with pytest.raises(ValueError, match="Gib den Text an"):
        check("versand", "Versand", " \r\n ")
    with pytest.raises(ValueError, match="Das Kürzel darf nur"):
        check("ver sand", "Versand", "Text")


def test_check_refuses_control_characters_but_keeps_emoji_and_tabs() -> None:
    with pytest.raises(ValueError, match="Der Text enthält ein Steuerzeichen"):
        check("versand", "Versand", "Hallo\x00")
    with pytest.raises(ValueError, match="Der Titel enthält ein Steuerzeichen"):
        check("versand", "Ver\x07sand", "Hallo")
    family = "👨\u200d👩\u200d👧"
    assert check("gruss", "Gruß", f"Liebe Grüße\t{family}")[2] == f"Liebe Grüße\t{family}"


def test_a_text_of_exactly_the_limit_is_accepted() -> None:
    assert len(check("lang", "T" * TITLE_MAX, "x" * TEXT_MAX)[2]) == TEXT_MAX


# --- expanding a reply ----------------------------------------------------------------------


@pytest.mark.parametrize("reply", ["/versand", "  /versand\n", "/Versand", "/VERSAND "])
def test_a_reply_that_is_only_a_shortcut_becomes_its_text(reply: str) -> None:
    assert expand(reply, _lookup) == CANNED["versand"]


@pytest.mark.parametrize(
    "reply",
    [
        "Hallo!",
        "/ versand",
        "/versand bitte",
        "Schau mal: /versand",
        "/inbox/c/42",
        "/versand?",
        "/",
        "//versand",
        "/rückgabe",
        "",
    ],
)
def test_an_ordinary_reply_is_left_alone(reply: str) -> None:
    assert expand(reply, _lookup) is None


def test_an_unknown_shortcut_is_refused_with_where_to_look() -> None:
    with pytest.raises(UnknownShortcut) as refused:
        expand(" /Gibtsnicht ", _lookup)
    assert str(refused.value) == (
        'Kein Textbaustein "/gibtsnicht". Die Textbausteine stehen unter „Textbausteine“.'
    )
    assert refused.value.shortcut == "gibtsnicht"
    assert isinstance(refused.value, ValueError)


@given(shortcuts, st.sampled_from(["", " ", "\n", "\t "]), st.booleans())
def test_every_stored_shortcut_expands_however_it_is_typed(
    shortcut: str, space: str, upper: bool
) -> None:
    typed = f"{space}/{shortcut.upper() if upper else shortcut}{space}"
    assert expand(typed, {shortcut: "Der Text"}.get) == "Der Text"


@given(st.text(max_size=80))
def test_expand_returns_a_text_only_for_a_reply_that_is_one_slash_token(reply: str) -> None:
    asked: list[str] = []

    def lookup(shortcut: str) -> str:
        asked.append(shortcut)
        return "Der Text"

    result = expand(reply, lookup)
    token = reply.strip()
    looks_like_one = (
        token.startswith("/")
        and len(token) > 1
        and token.isascii()
        and all(char in _SHORTCUT_CHARS for char in token[1:].lower())
    )
    assert (result == "Der Text") == looks_like_one
    assert asked == ([token[1:].lower()] if looks_like_one else [])


@given(st.text(max_size=80).filter(lambda text: not text.strip().startswith("/")))
def test_a_reply_not_starting_with_a_slash_is_never_a_shortcut(reply: str) -> None:
    assert expand(reply, _lookup) is None
