"""The error hierarchy: one root, a few meaningful branches."""

from __future__ import annotations

__all__ = [
    "BotFolderError",
    "ConfigurationError",
    "ContentError",
    "DeliveryError",
    "InvalidToken",
    "OutsideWindow",
    "RateLimited",
    "RecipientUnavailable",
    "StoreError",
    "ThekeError",
]


class ThekeError(Exception):
    """Root of every error Theke raises on purpose."""


class ConfigurationError(ThekeError):
    """Settings are missing, contradictory or unsafe for the chosen mode."""


class BotFolderError(ThekeError):
    """A bot folder has an error its owner must fix.

    The message names the file, the line (when known) and what to do.
    """

    def __init__(self, path: str, line: int | None, problem: str, fix: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        self.fix = fix
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}. {fix}")


class ContentError(ThekeError, ValueError):
    """A message content value breaks the content model's limits."""


class StoreError(ThekeError):
    """The database could not be reached or is not in the expected shape."""


class DeliveryError(ThekeError):
    """Sending a message to a channel failed.

    ``permanent`` errors are dead-lettered at once; others are retried.
    """

    permanent: bool = False
    code: str = "delivery_failed"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class RateLimited(DeliveryError):
    """The platform asked us to slow down; retry after ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RecipientUnavailable(DeliveryError):
    """The customer cannot be reached on this channel (blocked us, deleted)."""

    permanent = True
    code = "recipient_unavailable"


class OutsideWindow(DeliveryError):
    """The platform refused the message because its messaging window is closed."""

    permanent = True
    code = "outside_window"


class InvalidToken(DeliveryError):
    """The channel's access token was refused; nothing will go out until it is fixed."""

    permanent = True
    code = "invalid_token"
