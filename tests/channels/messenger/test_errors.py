"""What each Send API error does to a message: retried, recorded, or the channel stopped."""

from __future__ import annotations

import pytest

from theke.channels.graph import GraphError
from theke.channels.messenger.errors import MessengerRequestError, delivery_error
from theke.errors import InvalidToken, OutsideWindow, RateLimited, RecipientUnavailable


@pytest.mark.parametrize(
    ("status", "code", "subcode", "kind", "permanent"),
    [
        (400, 190, 460, InvalidToken, True),
        (400, 10, 2018278, OutsideWindow, True),
        (400, 551, 1545041, RecipientUnavailable, True),
        (400, 100, 2018001, RecipientUnavailable, True),
        (400, 613, None, RateLimited, False),
        (400, 4, None, RateLimited, False),
        (400, 1200, None, type(None), False),  # "temporary send message failure"
        (500, 2, None, type(None), False),
        (400, 100, None, MessengerRequestError, True),
    ],
)
def test_each_code_has_its_consequence(
    status: int, code: int, subcode: int | None, kind: type, permanent: bool
) -> None:
    error = delivery_error(GraphError(status, code, subcode, "x"))
    if kind is not type(None):
        assert isinstance(error, kind)
    assert error.permanent is permanent
