"""The schema of ``theke.yml``: the bot's name, languages, persona and keywords.

The ``shop:`` and ``shipping:`` sections (how the shop sells) are validated
here and become :class:`~theke.commerce.shipping.ShopConfig` and
:class:`~theke.commerce.shipping.ShippingRules`: ``config.shop`` and
``config.shipping``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from theke.bot.hours import BusinessHoursSettings
from theke.knowledge.settings import KnowledgeSettings
from theke.nlu.settings import NluSettings

if TYPE_CHECKING:
    from theke.bot.hours import BusinessHours
    from theke.commerce.shipping import ShippingRules, ShopConfig

__all__ = [
    "Address",
    "BankSettings",
    "BotConfig",
    "CommentKeyword",
    "CommentSettings",
    "HandoverSettings",
    "KeywordRule",
    "MatchKind",
    "MemorySettings",
    "PickupSettings",
    "ShippingSettings",
    "ShopSettings",
    "WhatsAppSettings",
    "WhatsAppTemplate",
    "ZoneSettings",
]

MatchKind = Literal["exact", "contains", "regex"]
Address = Literal["du", "Sie"]


def _one_or_many(value: object) -> object:
    """Let the owner write ``patterns: hallo`` for a list of one."""
    return [value] if isinstance(value, str | int | float) else value


_Words = Annotated[
    tuple[Annotated[str, Field(min_length=1)], ...],
    BeforeValidator(_one_or_many),
    Field(min_length=1),
]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class KeywordRule(_Schema):
    """Input matching one of ``patterns`` is answered with ``response`` or treated as ``postback``.

    With ``language`` set, the patterns are words of that language: a match
    switches the conversation to it.
    """

    match: MatchKind = "exact"
    patterns: _Words
    response: str | None = None
    postback: str | None = None
    language: str | None = None


class MemorySettings(_Schema):
    """How the bot remembers: when a customer counts as returning, when to remind them.

    A customer who writes again after ``return_after_minutes`` is greeted
    back and offered the flow they left unfinished; a customer who goes
    silent in the middle of a flow gets one reminder after
    ``reminder_minutes`` (0: never), if the channel's rules allow it.
    """

    return_after_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 30)] = 30
    reminder_minutes: Annotated[int, Field(ge=0, le=60 * 24)] = 60


class HandoverSettings(_Schema):
    """``handover:`` in theke.yml: when the bot hands a conversation to a person on its
    own (``theke.dialogue.handover``). A customer who asks for a person always gets one."""

    frustration: bool = True
    """Hand over when a customer is frustrated (angry phrases, shouting)."""
    misses: Annotated[int, Field(ge=0, le=10)] = 3
    """Hand over after this many messages in a row the bot did not understand (0: never)."""


class WhatsAppTemplate(_Schema):
    """An approved WhatsApp message template, for a message outside the 24-hour window.

    ``parameters`` fill the template's body placeholders ``{{1}}``, ``{{2}}``, ... in order;
    each is a Jinja template over the message's data (``"{{ order_number }}"``).
    """

    name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,512}$")]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")] = "de"
    parameters: tuple[Annotated[str, Field(min_length=1)], ...] = ()

    @field_validator("parameters")
    @classmethod
    def _templates_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from jinja2 import TemplateSyntaxError

        from theke.dialogue.templates import names_in

        for parameter in value:
            try:
                names_in(parameter)
            except TemplateSyntaxError as exc:
                raise ValueError(f"parameter {parameter!r} is not a valid template: {exc}") from exc
        return value


class WhatsAppSettings(_Schema):
    """``whatsapp:`` in theke.yml: the approved templates, by the purpose of the message."""

    templates: dict[str, WhatsAppTemplate] = Field(default_factory=dict)


class CommentKeyword(_Schema):
    """A comment under a post that contains one of ``words`` (whole words, any case) gets
    the response ``message`` as its one private reply, and ``reply`` publicly, if given."""

    words: _Words
    message: Annotated[str, Field(min_length=1)]
    reply: Annotated[str, Field(min_length=1)] | None = None

    @field_validator("words")
    @classmethod
    def _words_have_letters(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for word in value:
            if not any(char.isalnum() for char in word):
                fix = "write a word, like `guide`"
                raise _problem("word", "`{word}` has no letters or digits: " + fix, word=word)
        return value


class CommentSettings(_Schema):
    """``comments:`` in theke.yml: how the bot answers comments under the Page's posts.

    ``faq``: a comment the FAQ answers with at least ``min_score`` is answered publicly
    under the post, with one private reply, or (``off``, the default) not at all.
    ``keywords`` are checked first. Everything else waits for a person in the inbox.
    """

    faq: Literal["public", "private", "off"] = "off"
    min_score: Annotated[float, Field(ge=0.0, le=1.0)] = 0.6
    keywords: tuple[CommentKeyword, ...] = ()


def _problem(kind: str, message: str, **context: Any) -> PydanticCustomError:
    """A validation error whose message says what is wrong and how to fix it."""
    return PydanticCustomError(kind, message, context)


def _cents(value: object) -> object:
    """``4.95``, ``5`` or ``"4,95"`` euros as integer cents: 0 or more, at most two decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value  # not a number: pydantic says so
    fix = "write the price in euros, like 4.95 (0 for free)"
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _problem("money", "`{value}` is not a price: " + fix, value=value) from None
    if not amount.is_finite() or amount < 0:
        raise _problem("money", "`{value}` is negative: " + fix, value=value)
    if amount != amount.quantize(Decimal("0.01")) or amount > 1_000_000:
        raise _problem("money", "`{value}` is not euros and cents: " + fix, value=value)
    return int(amount * 100)


def _matching(pattern: str, what: str, example: str) -> AfterValidator:
    """A check that text matches ``pattern``, with an error that shows a good ``example``."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.fullmatch(value):
            return value
        raise _problem(
            "pattern", "`{value}` is not " + what + ": write it like " + example, value=value
        )

    return AfterValidator(check)


def _squeezed(value: object) -> object:
    """Text without spaces, in capitals: ``de89 3704`` → ``DE893704``."""
    return "".join(value.split()).upper() if isinstance(value, str) else value


def _percent(value: object) -> object:
    """A VAT rate in percent: ``19``, ``7``, ``7.7`` or ``"7,7"``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        rate = Decimal(str(value).strip().removesuffix("%").strip().replace(",", "."))
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not 0 <= rate <= 50:
        fix = "write the percent as a number, like 19 or 7"
        raise _problem("vat_rate", "`{value}` is not a VAT rate: " + fix, value=value)
    return rate


def _url(value: str) -> str:
    """An https:// address (http:// only for localhost, while testing)."""
    url = value.strip()
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
    if (parts.scheme == "https" or local) and parts.hostname and len(url.split()) == 1:
        return url
    fix = "write the page's full address starting with https://, like https://www.example.com/agb"
    raise _problem("url", "`{value}` is not an https:// address: " + fix, value=value)


def _country(value: object) -> object:
    """An ISO 3166-1 alpha-2 code in capitals; a country's name gets its code suggested."""
    from theke.commerce.address import country_code
    from theke.commerce.shipping import COUNTRY_CODES

    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    if code in COUNTRY_CODES:
        return code
    known = {"UK": "GB", "EL": "GR"}.get(code) or country_code(value)
    fix = f"write `{known}`" if known else "write its two-letter ISO code, like DE, AT or CH"
    raise _problem("country", "`{value}` is not a country code: " + fix, value=value)


def _iban(value: str) -> str:
    from theke.commerce.shipping import iban_problem

    problem = iban_problem(value)
    if problem is not None:
        raise _problem("iban", "{problem}: copy the IBAN from a bank statement", problem=problem)
    return "".join(value.split()).upper()


_Cents = Annotated[int, BeforeValidator(_cents)]
_Country = Annotated[str, BeforeValidator(_country)]
_Url = Annotated[str, AfterValidator(_url)]
_Text = Annotated[str, Field(min_length=1, max_length=200)]
_Bic = Annotated[
    str,
    BeforeValidator(_squeezed),
    _matching(
        r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?",
        "a BIC",
        "DEUTDEFF or DEUTDEFF500 (8 or 11 characters)",
    ),
]
_OrderPrefix = Annotated[
    str, _matching(r"[A-Za-z0-9][A-Za-z0-9-]{0,11}", "an order number prefix", "SC- or T-")
]
_StoreId = Annotated[
    str, _matching(r"[a-z0-9][a-z0-9_-]{0,39}", "a store id", "berlin or hamburg_hafen")
]
_Currency = Annotated[
    str, BeforeValidator(_squeezed), _matching(r"[A-Z]{3}", "a currency code", "EUR or CHF")
]
PaymentMethod = Literal["stripe", "invoice", "prepayment"]


class BankSettings(_Schema):
    """``shop: bank:``: the account for invoice and prepayment."""

    holder: _Text
    iban: Annotated[str, AfterValidator(_iban)]
    bic: _Bic | None = None
    bank: _Text | None = None


class ShopSettings(_Schema):
    """``shop:``: order numbers, VAT, the legal pages and the payment methods offered."""

    order_prefix: _OrderPrefix = "T-"
    vat_rate: Annotated[Decimal, BeforeValidator(_percent)] = Decimal(19)
    terms_url: _Url
    withdrawal_url: _Url
    privacy_url: _Url | None = None
    bank: BankSettings | None = None
    payment: tuple[PaymentMethod, ...] = ("stripe",)
    invoice_days: Annotated[int, Field(ge=1, le=90)] = 14
    payment_minutes: Annotated[int, Field(ge=30, le=1440)] = 60

    @field_validator("payment")
    @classmethod
    def _each_method_once(cls, value: tuple[PaymentMethod, ...]) -> tuple[PaymentMethod, ...]:
        if not value:
            raise _problem("payment", "no payment method: list stripe, invoice or prepayment")
        twice = next((method for method in value if value.count(method) > 1), None)
        if twice is not None:
            raise _problem("payment", "`{method}` is listed twice: keep it once", method=twice)
        return value

    @field_validator("payment")
    @classmethod
    def _transfers_need_bank(
        cls, value: tuple[PaymentMethod, ...], info: ValidationInfo
    ) -> tuple[PaymentMethod, ...]:
        by_bank = [method for method in value if method != "stripe"]
        if by_bank and "bank" in info.data and info.data["bank"] is None:
            fix = (
                "add `bank:` with `holder:` and `iban:` under `shop:`, or remove it from `payment`"
            )
            message = "`{method}` needs the shop's bank account: " + fix
            raise _problem("bank", message, method=by_bank[0])
        return value

    def to_config(self) -> ShopConfig:
        """The frozen :class:`~theke.commerce.shipping.ShopConfig` of this section."""
        from theke.commerce.shipping import BankDetails, ShopConfig

        bank = self.bank
        details = None if bank is None else BankDetails(bank.holder, bank.iban, bank.bic, bank.bank)
        return ShopConfig(
            order_prefix=self.order_prefix,
            vat_rate=self.vat_rate,
            terms_url=self.terms_url,
            withdrawal_url=self.withdrawal_url,
            privacy_url=self.privacy_url,
            payment=self.payment,
            invoice_days=self.invoice_days,
            payment_minutes=self.payment_minutes,
            bank=details,
        )


class ZoneSettings(_Schema):
    """One shipping zone: its countries, its price, and from which subtotal it is free."""

    name: _Text
    countries: Annotated[tuple[_Country, ...], BeforeValidator(_one_or_many), Field(min_length=1)]
    price: _Cents
    free_from: _Cents | None = None


class PickupSettings(_Schema):
    """A store where customers may collect their order."""

    id: _StoreId
    name: _Text
    address: _Text


class ShippingSettings(_Schema):
    """``shipping:``: the zones shipped to, at what price, and the pickup stores."""

    currency: _Currency = "EUR"
    zones: tuple[ZoneSettings, ...] = ()
    pickup: tuple[PickupSettings, ...] = ()

    @field_validator("zones")
    @classmethod
    def _each_country_once(cls, value: tuple[ZoneSettings, ...]) -> tuple[ZoneSettings, ...]:
        names = [zone.name for zone in value]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice is not None:
            raise _problem("zone", "two zones are called `{name}`: rename one", name=twice)
        seen: dict[str, str] = {}
        for zone in value:
            for country in zone.countries:
                if country in seen:
                    message = "`{country}` is in the zones `{first}` and `{second}`: keep it in one"
                    raise _problem(
                        "zone", message, country=country, first=seen[country], second=zone.name
                    )
                seen[country] = zone.name
        return value

    @field_validator("pickup")
    @classmethod
    def _each_store_once(cls, value: tuple[PickupSettings, ...]) -> tuple[PickupSettings, ...]:
        ids = [store.id for store in value]
        twice = next((store_id for store_id in ids if ids.count(store_id) > 1), None)
        if twice is not None:
            raise _problem("pickup", "two stores have the id `{id}`: give each its own", id=twice)
        return value

    def to_rules(self) -> ShippingRules:
        """The frozen :class:`~theke.commerce.shipping.ShippingRules` of this section."""
        from theke.commerce.shipping import PickupStore, ShippingRules, Zone

        zones = tuple(
            Zone(zone.name, zone.countries, zone.price, zone.free_from) for zone in self.zones
        )
        stores = tuple(PickupStore(store.id, store.name, store.address) for store in self.pickup)
        return ShippingRules(zones=zones, pickup=stores, currency=self.currency)


class BotConfig(_Schema):
    """The validated content of ``theke.yml``.

    ``intents`` maps an intent of ``nlu/<lang>.yml`` to the response that
    answers it, or to an FAQ entry as ``faq:<id>``; an intent not listed
    answers with the response of its own name, if there is one (an intent
    that starts a flow needs no entry).

    ``shop:`` and ``shipping:`` are read as :attr:`shop` and :attr:`shipping`.
    """

    name: Annotated[str, Field(min_length=1)]
    languages: _Words = ("de",)
    persona: str | None = None
    address: Address = "du"
    keywords: tuple[KeywordRule, ...] = ()
    postbacks: dict[str, str] = Field(default_factory=dict)
    fallback: str = "fallback"
    intents: dict[str, str] = Field(default_factory=dict)
    nlu: NluSettings = Field(default_factory=NluSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    handover: HandoverSettings = Field(default_factory=HandoverSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    shipping_section: ShippingSettings = Field(default_factory=ShippingSettings, alias="shipping")
    shop_section: ShopSettings | None = Field(default=None, alias="shop")
    business_hours: BusinessHoursSettings | None = None
    comments: CommentSettings = Field(default_factory=CommentSettings)

    @field_validator("shop_section")
    @classmethod
    def _shop_ships(cls, value: ShopSettings | None, info: ValidationInfo) -> ShopSettings | None:
        shipping = info.data.get("shipping_section")
        if value is not None and shipping is not None and not (shipping.zones or shipping.pickup):
            fix = "add `shipping:` with `zones:` (and `pickup:` stores, if customers may collect)"
            raise _problem("shipping", "the shop sells, but ships nowhere: " + fix)
        return value

    @property
    def default_language(self) -> str:
        """The first language: used until the customer shows another one."""
        return self.languages[0]

    @cached_property
    def shop(self) -> ShopConfig | None:
        """How the shop sells (``shop:``); ``None`` when the bot takes no orders."""
        return None if self.shop_section is None else self.shop_section.to_config()

    @cached_property
    def shipping(self) -> ShippingRules:
        """Where the shop ships and at what price (``shipping:``); empty rules when absent."""
        return self.shipping_section.to_rules()

    @cached_property
    def hours(self) -> BusinessHours | None:
        """When the shop's people answer (``business_hours:``); ``None`` when not given."""
        return None if self.business_hours is None else self.business_hours.to_hours()
