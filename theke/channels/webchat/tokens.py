"""Web chat visitor tokens: a server-minted 128-bit id plus an HMAC over it.

Whoever only knows (or guesses) a customer id cannot make a valid token; the
token is what the browser keeps in localStorage.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

__all__ = ["TokenSigner"]

_VERSION = "v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Makes and checks visitor tokens with a key derived from THEKE_SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"theke.webchat.token\x00" + secret_key.encode()).digest()

    def _mac(self, customer_id: str) -> bytes:
        message = f"{_VERSION}:{customer_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:20]

    def make(self, customer_id: str) -> str:
        raw_id = bytes.fromhex(customer_id)
        return f"{_VERSION}.{_b64(raw_id)}.{_b64(self._mac(customer_id))}"

    def check(self, token: str) -> str | None:
        """The customer id the token was made for, or None when it is not ours."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION or len(token) > 200:
            return None
        try:
            raw_id = _unb64(parts[1])
        except (binascii.Error, ValueError):
            return None
        if len(raw_id) != 16:
            return None
        customer_id = raw_id.hex()
        # Compare the whole canonical token: base64's spare bits must not make twins.
        if not hmac.compare_digest(token.encode(), self.make(customer_id).encode()):
            return None
        return customer_id
