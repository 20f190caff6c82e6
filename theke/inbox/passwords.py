"""Passwords of the inbox's people: the strength rules, argon2id hashes, verification.

Only a hash is ever stored: argon2id with argon2-cffi's current defaults (RFC 9106's
low-memory profile). A password is encoded as UTF-8; a lone surrogate, which no form
post can carry, is kept as its UTF-8 bytes instead of raising.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from theke.errors import ThekeError

__all__ = [
    "MIN_LENGTH",
    "WeakPassword",
    "check_strength",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

MIN_LENGTH = 12

_HASHER = PasswordHasher()
# Long enough to pass the length rule, and still the first ones an attacker tries.
_COMMON = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789abc",
        "abcdefghijkl",
        "abc123456789",
        "administrator",
        "changeme1234",
        "iloveyou1234",
        "letmein12345",
        "passwort1234",
        "passwort12345",
        "password1234",
        "password12345",
        "password123!",
        "qwertyuiop12",
        "qwertyuiop123",
        "qwertzuiop12",
        "qwertzuiop123",
        "welcome12345",
        "willkommen12",
        "willkommen123",
    }
)


class WeakPassword(ThekeError):
    """A password the strength rules refuse; the message says why and what to do."""


def check_strength(password: str, email: str) -> None:
    """Refuse a password that is too short, is the email, is one character repeated,
    or is one of the most common passwords; raises :class:`WeakPassword`."""
    problem = _problem(password, email)
    if problem is not None:
        raise WeakPassword(
            f"the password is too weak: {problem}. Choose another one: a few unrelated "
            "words make a good password that is easy to type"
        )


def _problem(password: str, email: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"it has {len(password)} characters, and at least {MIN_LENGTH} are needed"
    folded = password.strip().casefold()
    if folded == email.strip().casefold():
        return "it is the email address"
    if not folded:
        return "it is only blank space"
    if len(set(password)) == 1:
        return "it is one character repeated"
    if folded in _COMMON:
        return "it is one of the most common passwords"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with a random salt): what the database keeps."""
    return _HASHER.hash(_encode(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; ``False`` for a wrong password and
    for a hash that is not a valid argon2 hash (never raises for either)."""
    if not password_hash.isascii():
        return False
    try:
        return _HASHER.verify(password_hash, _encode(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than today's (or cannot be
    read at all): then hash the password again after a successful sign-in."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def _encode(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")
