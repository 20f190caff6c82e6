"""The shop's rules for selling: shipping zones and prices, pickup stores, payment and VAT.

``theke.yml``'s ``shop:`` and ``shipping:`` sections are validated in
:mod:`theke.bot.config` and become the frozen values of this module. Amounts
are integer cents and include VAT, as German law wants prices shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from theke.errors import ThekeError

__all__ = [
    "COUNTRY_CODES",
    "PAYMENT_METHODS",
    "BankDetails",
    "NoShipping",
    "PickupStore",
    "ShippingQuote",
    "ShippingRules",
    "ShopConfig",
    "Zone",
    "iban_problem",
]

COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()
)
"""The 249 officially assigned ISO 3166-1 alpha-2 country codes."""

PAYMENT_METHODS = ("stripe", "invoice", "prepayment")
"""What a shop may offer: online (Stripe), on invoice, or by bank transfer in advance."""

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_problem(iban: str) -> str | None:
    """Why ``iban`` (spaces allowed, any case) is not a valid IBAN, or ``None`` if it is.

    Checks the characters, the length for the country and the mod-97 check digits.
    """
    compact = "".join(iban.split()).upper()
    if not compact.isascii() or not compact.isalnum() or len(compact) < 5:
        return "an IBAN has a country code, two check digits and the account, like DE89 3704 …"
    country = compact[:2]
    if not country.isalpha() or not compact[2:4].isdigit():
        return "an IBAN starts with the country code and two check digits, like DE89"
    expected = _IBAN_LENGTHS.get(country)
    if expected is None:
        return f"`{country}` is not a country that has IBANs"
    if len(compact) != expected:
        return f"an IBAN from {country} has {expected} characters, this one has {len(compact)}"
    digits = "".join(str(int(char, 36)) for char in compact[4:] + compact[:4])
    if int(digits) % 97 != 1:
        return "the check digits do not match: a character is mistyped"
    return None


class NoShipping(ThekeError):
    """The shop does not ship to ``country``."""

    def __init__(self, country: str) -> None:
        super().__init__(f"the shop does not ship to {country}")
        self.country = country


@dataclass(frozen=True, slots=True)
class Zone:
    """Countries that share one shipping price; free from ``free_from_cents`` on, if set."""

    name: str
    countries: tuple[str, ...]
    price_cents: int
    free_from_cents: int | None = None


@dataclass(frozen=True, slots=True)
class PickupStore:
    """A store where a customer may collect an order (click & collect)."""

    id: str
    name: str
    address: str


@dataclass(frozen=True, slots=True)
class ShippingQuote:
    """What shipping costs for one order: the zone's name and the price in cents."""

    zone: str
    cents: int
    free: bool


@dataclass(frozen=True, slots=True)
class ShippingRules:
    """Where the shop ships, at what price, and where orders can be picked up."""

    zones: tuple[Zone, ...] = ()
    pickup: tuple[PickupStore, ...] = ()
    currency: str = "EUR"

    def quote(self, country: str, subtotal_cents: int) -> ShippingQuote:
        """The shipping cost to ``country`` for an order of ``subtotal_cents``.

        Raises :class:`NoShipping` when no zone lists the country.
        """
        zone = self._zone(country)
        if zone is None:
            raise NoShipping(country.upper())
        threshold = zone.free_from_cents
        cents = 0 if threshold is not None and subtotal_cents >= threshold else zone.price_cents
        return ShippingQuote(zone=zone.name, cents=cents, free=cents == 0)

    def ships_to(self, country: str) -> bool:
        """Whether a zone lists ``country`` (an ISO code, any case)."""
        return self._zone(country) is not None

    def store(self, store_id: str) -> PickupStore | None:
        """The pickup store with the id ``store_id``, if there is one."""
        return next((store for store in self.pickup if store.id == store_id), None)

    @property
    def countries(self) -> tuple[str, ...]:
        """Every country shipped to, in the order of the zones."""
        return tuple(country for zone in self.zones for country in zone.countries)

    def _zone(self, country: str) -> Zone | None:
        code = country.strip().upper()
        return next((zone for zone in self.zones if code in zone.countries), None)


@dataclass(frozen=True, slots=True)
class BankDetails:
    """The shop's bank account, for invoice and prepayment."""

    holder: str
    iban: str
    bic: str | None = None
    bank: str | None = None

    def iban_display(self) -> str:
        """The IBAN in groups of four, as printed on invoices: ``DE89 3704 0044 0532 0130 00``."""
        compact = "".join(self.iban.split()).upper()
        return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopConfig:
    """How the shop sells: order numbers, VAT, legal pages, payment methods and terms.

    ``vat_rate`` is in percent and contained in every price; ``payment`` lists the
    offered methods in the order the customer sees them; ``payment_minutes`` is how
    long an unpaid online payment holds the stock.
    """

    order_prefix: str = "T-"
    vat_rate: Decimal = Decimal(19)
    terms_url: str
    withdrawal_url: str
    privacy_url: str | None = None
    payment: tuple[str, ...] = ("stripe",)
    invoice_days: int = 14
    payment_minutes: int = 60
    bank: BankDetails | None = None

    def vat_cents(self, gross_cents: int) -> int:
        """The VAT contained in ``gross_cents``, rounded half-up to a cent."""
        rate = Decimal(str(self.vat_rate))  # a float 7.7 means 7.7
        vat = Decimal(gross_cents) * rate / (Decimal(100) + rate)
        return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def offers(self, method: str) -> bool:
        """Whether the customer may pay with ``method``."""
        return method in self.payment
