"""The inbox: where the shop's people (agents and admins) sign in and answer the
conversations the bot hands over.

This package holds what the inbox needs beyond the database (which is
``theke.store.users``, ``user_sessions``, ``login_attempts`` and ``audit``): the
password rules and hashes.
"""

from theke.inbox.passwords import (
    MIN_LENGTH,
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)

__all__ = [
    "MIN_LENGTH",
    "WeakPassword",
    "check_strength",
    "hash_password",
    "needs_rehash",
    "verify_password",
]
