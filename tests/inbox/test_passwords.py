"""Passwords: the strength rules, argon2id hashes, and a verify that never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.inbox.passwords import (
    MIN_LENGTH,
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)

GOOD = "correct horse battery staple"
EMAIL = "anna@shop.de"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(GOOD)


def test_a_hash_verifies_its_password_and_holds_no_trace_of_it(stored: str) -> None:
    assert stored.startswith("$argon2id$")
    assert GOOD not in stored
    assert "horse" not in stored
    assert verify_password(stored, GOOD) is True
    assert hash_password(GOOD) != stored  # a new salt each time
    assert needs_rehash(stored) is False


@pytest.mark.parametrize(
    "wrong", ["", GOOD.upper(), GOOD + " ", GOOD[:-1], " " + GOOD, "correct horse battery"]
)
def test_any_other_password_is_refused(stored: str, wrong: str) -> None:
    assert verify_password(stored, wrong) is False


def test_non_ascii_passwords_round_trip() -> None:
    password = "Grüße aus Köln 🙂 straße"
    stored = hash_password(password)
    assert verify_password(stored, password) is True
    assert verify_password(stored, "Grüsse aus Köln 🙂 strasse") is False


@pytest.mark.parametrize(
    "broken",
    [
        "",
        "plain text",
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=3,p=4$",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "$argon2id$v=19$m=65536,t=3,p=4$ü$ü",
    ],
)
def test_a_broken_hash_refuses_every_password_without_raising(broken: str) -> None:
    assert verify_password(broken, GOOD) is False
    assert verify_password(broken, "") is False
    assert needs_rehash(broken) is True


def test_a_hash_made_with_weaker_parameters_needs_rehashing() -> None:
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(GOOD)
    assert verify_password(old, GOOD) is True
    assert needs_rehash(old) is True


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.text(max_size=60))
def test_verify_never_raises_for_any_strings(password_hash: str, password: str) -> None:
    assert verify_password(password_hash, password) is False


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["$argon2id$", "$argon2i$", "$argon2d$", "$argon2id$v=19$m=65536,t=3,p=4$"]),
    st.text(max_size=80),
    st.text(max_size=40),
)
def test_verify_never_raises_for_hashes_that_look_like_argon2(
    prefix: str, rest: str, password: str
) -> None:
    assert verify_password(prefix + rest, password) is False


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=40))
def test_only_the_right_password_verifies_against_a_real_hash(stored: str, guess: str) -> None:
    assert verify_password(stored, guess) is (guess == GOOD)


@settings(max_examples=10, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_every_string_round_trips(password: str) -> None:
    assert verify_password(hash_password(password), password) is True


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "0 characters, and at least 12"),
        ("short pass", "10 characters, and at least 12"),
        ("a" * (MIN_LENGTH - 1), "11 characters"),
        ("aaaaaaaaaaaaaaaaaaaa", "one character repeated"),
        (" " * 15, "only blank space"),
        (" \t " * 5, "only blank space"),
        ("anna@shop.de", "the email address"),
        ("Anna@Shop.DE", "the email address"),
        ("Password1234", "most common passwords"),
        ("passwort1234", "most common passwords"),
        ("123456789012", "most common passwords"),
        ("QWERTZUIOP12", "most common passwords"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword, match=reason) as raised:
        check_strength(password, EMAIL)
    assert "Choose another one" in str(raised.value)
    assert password.strip() == "" or password not in str(raised.value)  # never echoed


@pytest.mark.parametrize(
    "password",
    [GOOD, "a" * (MIN_LENGTH - 1) + "b", "anna@shop.de-x", "Grüße aus Köln"],
)
def test_strong_enough_passwords_pass(password: str) -> None:
    check_strength(password, EMAIL)
