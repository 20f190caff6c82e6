"""Payment providers: Stripe Checkout over its REST API; invoice and prepayment need none.

An online payment starts after the order is placed (:mod:`theke.worker.payments` creates a
Checkout Session and sends its link), and ends with Stripe's webhook
(``/webhooks/stripe``) or, when that never comes, with a look at the session once the
time to pay is over.
"""

from theke.commerce.payments.errors import PaymentError
from theke.commerce.payments.stripe import CheckoutSession, LineItem, StripeClient
from theke.commerce.payments.stripe_events import (
    SignatureError,
    StripeEvent,
    parse_event,
    verify_signature,
)

__all__ = [
    "METHODS",
    "CheckoutSession",
    "LineItem",
    "PaymentError",
    "SignatureError",
    "StripeClient",
    "StripeEvent",
    "parse_event",
    "verify_signature",
]

METHODS = ("stripe", "invoice", "prepayment")
"""The ways a customer can pay: online through Stripe, on invoice, or by bank transfer first."""
