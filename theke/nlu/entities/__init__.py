"""Rule-based entity extraction for German and English shop messages.

Numbers, prices, sizes, colours, dates and times, e-mail addresses, phone
numbers and a bot's own regex entities; ``extract_rules`` runs them together.
"""

from theke.nlu.entities.colours import COLOURS, extract_colours
from theke.nlu.entities.contact import extract_contacts, extract_emails, extract_phones
from theke.nlu.entities.context import ExtractContext
from theke.nlu.entities.dates import extract_dates, has_date_cue
from theke.nlu.entities.money import extract_prices
from theke.nlu.entities.numbers import extract_numbers, parse_number
from theke.nlu.entities.patterns import extract_patterns
from theke.nlu.entities.rules import RULE_KINDS, extract_rules
from theke.nlu.entities.sizes import extract_sizes

__all__ = [
    "COLOURS",
    "RULE_KINDS",
    "ExtractContext",
    "extract_colours",
    "extract_contacts",
    "extract_dates",
    "extract_emails",
    "extract_numbers",
    "extract_patterns",
    "extract_phones",
    "extract_prices",
    "extract_rules",
    "extract_sizes",
    "has_date_cue",
    "parse_number",
]
