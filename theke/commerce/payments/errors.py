"""The error a payment provider's API or webhook raises, with what the caller may do next."""

from __future__ import annotations

from theke.errors import ThekeError

__all__ = ["PaymentError"]


class PaymentError(ThekeError):
    """A payment call failed or a provider's message could not be trusted or read.

    ``code`` is the provider's error code (Stripe's ``error.code``), or ``http_<status>``
    when the answer carried none, or one of ours: ``connection_error``, ``timeout``,
    ``malformed_response``, ``malformed_event``, ``invalid_signature``.
    ``retryable`` says whether the same call may succeed later; ``retry_after`` is the
    wait in seconds the provider asked for, if it did. ``status`` is the HTTP status,
    ``error_type`` Stripe's ``error.type`` and ``param`` the parameter it blamed.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        error_type: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.error_type = error_type
        self.param = param
