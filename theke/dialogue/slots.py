"""Slot values: found in what the customer said, checked against the slot's declaration.

``extract`` looks for a slot's value in one message. When the bot has just
asked for that slot (``asked=True``) it also reads bare answers: "43" for a
size, "100" for a budget, any text for a text slot, a tapped choice. Without
the question only clear entities count, so "Laufschuhe unter 100 Euro in
Größe 43" fills category, budget and size, but a stray number fills nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from theke.dialogue.flows.program import SlotSpec
from theke.nlu.normalize import fold
from theke.nlu.result import Entity, Parse

__all__ = ["SLOT_PAYLOAD", "Found", "Refused", "choice_payload", "display", "extract", "valid"]

SLOT_PAYLOAD = "theke:slot:"
"""Quick replies of a question's choices send ``theke:slot:<slot>:<value>``."""

_ENTITY_OF_TYPE = {
    "price": "price",
    "size": "size",
    "color": "color",
    "date": "date",
    "email": "email",
    "phone": "phone",
    "number": "number",
    "integer": "number",
}
_BARE_NUMBER = re.compile(r"^\D{0,12}?(\d{1,6}(?:[.,]\d{1,2})?)\s*(?:€|eur|euro|euros)?\W*$", re.I)
_YES = frozenset("ja jo jep jap klar gerne genau yes yeah yep sure ok okay".split())
_NO = frozenset("nein ne nee no noe nope".split())
_TEXT_MAX = 500
_ON = frozenset("weiter weitermachen continue go".split())
_SYSTEM_NAMED = re.compile(r"\b(?:uk|us)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,6}(?:[.,]\d{1,2})?)(?![\w.,]*\d)")
_COLOUR_NAMES_DE = {
    "black": "Schwarz", "white": "Weiß", "red": "Rot", "blue": "Blau", "green": "Grün",
    "yellow": "Gelb", "grey": "Grau", "brown": "Braun", "beige": "Beige", "pink": "Rosa",
    "purple": "Lila", "orange": "Orange", "navy": "Marineblau", "gold": "Gold",
    "silver": "Silber", "multicolor": "Bunt",
}  # fmt: skip
# UK and US men's shoe sizes, roughly, in EU: what a customer means by "UK 9".
_TO_EU = {"EU": 0.0, "UK": 33.5, "US": 33.0}


@dataclass(frozen=True, slots=True)
class Found:
    """A value for the slot, in its stored (JSON) form; ``entity`` says what found it."""

    value: Any
    entity: Entity | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """The message answers the slot, but with a value its checks refuse."""

    reason: str  # "choice", "range", "pattern", "type", "validator"
    message: str | None = None


def choice_payload(slot: str, value: str) -> str:
    return f"{SLOT_PAYLOAD}{slot}:{value}"


def extract(spec: SlotSpec, parse: Parse | None, text: str, *, asked: bool) -> Found | None:
    """The value for ``spec`` in the message, unchecked; ``None`` when it has none."""
    for entity in _entities(spec, parse):  # "sneaker für meinen Sohn": the one that fits
        value = _from_entity(spec, entity)
        if value is not None and (not spec.choices or spec.choice(str(value)) is not None):
            return Found(value, entity)
    if not asked:
        return None
    return _bare(spec, parse, text)


def yes_or_no(text: str) -> bool | None:
    """A typed yes ("ja gerne", "yes please", "weiter") or no ("nee danke"), else ``None``."""
    words = [word.strip("!.,?") for word in fold(text).split()]
    if not words or len(words) > 4:
        return None
    if words[0] in _YES or words[0] in _ON:
        return True
    if words[0] in _NO:
        return False
    return None


def valid(spec: SlotSpec, value: Any) -> Refused | None:
    """Why ``value`` does not fit the slot's checks, or ``None`` when it does."""
    if not _finite(value):
        return Refused("type")
    if spec.choices and spec.choice(str(value)) is None:
        return Refused("choice")
    number = _comparable(spec, value)
    if number is not None:
        too_low = spec.low is not None and number < spec.low
        if too_low or (spec.high is not None and number > spec.high):
            return Refused("range")
    if spec.pattern is not None and not spec.pattern.search(str(value)):
        return Refused("pattern")
    return None


def display(spec: SlotSpec | None, value: Any, language: str) -> str:
    """The value as the customer reads it: "bis 100 €", "43", the choice's title."""
    if value is None:
        return ""
    if spec is not None and spec.choices:
        choice = spec.choice(str(value))
        if choice is not None:
            return choice.title(language)
    if isinstance(value, dict) and ("max" in value or "min" in value):
        return _price_text(value, language)
    if spec is not None and spec.type == "color" and isinstance(value, str):
        return _COLOUR_NAMES_DE.get(value, value) if language == "de" else value
    if isinstance(value, float):
        return _number_text(value, language)
    if isinstance(value, bool):
        return ("ja" if value else "nein") if language == "de" else ("yes" if value else "no")
    return str(value)


def _entities(spec: SlotSpec, parse: Parse | None) -> list[Entity]:
    if parse is None:
        return []
    kind = spec.entity or _ENTITY_OF_TYPE.get(spec.type) or spec.name
    return [entity for entity in parse.entities if entity.entity == kind]


def _from_entity(spec: SlotSpec, entity: Entity) -> Any:
    value = entity.value
    if spec.type == "size":
        return _eu_size(value, explicit=_SYSTEM_NAMED.search(entity.text) is not None)
    if spec.type == "price":
        return _price(value)
    if spec.type in ("number", "integer"):
        return _number(value, integer=spec.type == "integer")
    if isinstance(value, str | int | float):
        return _choice_value(spec, str(value)) if spec.choices else value
    return value


def _bare(spec: SlotSpec, parse: Parse | None, text: str) -> Found | None:
    text = text.strip()
    if not text:
        return None
    if spec.type == "text":
        return Found(text[:_TEXT_MAX])
    if spec.type == "boolean":
        return _boolean(parse, text)
    if spec.choices:
        value = _choice_value(spec, text)
        return Found(value) if value is not None else None
    if spec.type == "price":
        return _bare_price(_free_of_entities(text, parse))
    if spec.type in ("size", "number", "integer"):
        match = _BARE_NUMBER.match(text)
        if match is None:
            return None
        number = float(match.group(1).replace(",", "."))
        if spec.type == "integer":
            return Found(int(number)) if number.is_integer() else None
        return Found(number)
    if spec.type == "entity" or spec.type in _ENTITY_OF_TYPE:
        return None
    return Found(text[:_TEXT_MAX])


def _boolean(parse: Parse | None, text: str) -> Found | None:
    intent = parse.intent.name if parse is not None and parse.intent is not None else None
    words = fold(text).split()
    if intent == "affirm" or (words and words[0].strip("!.,") in _YES):
        return Found(True)
    if intent == "deny" or (words and words[0].strip("!.,") in _NO):
        return Found(False)
    return None


def _bare_price(text: str) -> Found | None:
    """The budget in an answer to "wie viel?": one number is the most, two are a range."""
    numbers = [float(found.replace(",", ".")) for found in _NUMBER.findall(text)]
    if len(numbers) == 2:
        low, high = sorted(numbers)
        return Found({"min": low, "max": high, "currency": "EUR"})
    if len(numbers) == 1:
        return Found({"min": None, "max": numbers[0], "currency": "EUR"})
    return None


def _free_of_entities(text: str, parse: Parse | None) -> str:
    """The text without what other entities took ("gr 46" is a size, not a budget)."""
    if parse is None or parse.text != text:
        return text
    taken = [e for e in parse.entities if e.entity not in ("number", "price")]
    for entity in sorted(taken, key=lambda e: -e.start):
        text = text[: entity.start] + " " * (entity.end - entity.start) + text[entity.end :]
    return text


def _choice_value(spec: SlotSpec, text: str) -> str | None:
    """The choice the text names: its value or a title, allowing typos."""
    folded = fold(text)
    names: dict[str, str] = {}
    for choice in spec.choices:
        names[fold(choice.value)] = choice.value
        for title in choice.titles.values():
            names[fold(title)] = choice.value
    if folded in names:
        return names[folded]
    best = process.extractOne(folded, list(names), scorer=fuzz.WRatio, score_cutoff=86)
    return names[best[0]] if best is not None else None


def _eu_size(value: Any, *, explicit: bool = True) -> float | None:
    """An EU size; UK and US sizes are converted only when the customer named the system."""
    if isinstance(value, dict):
        system = str(value.get("system")) if explicit else "EU"
        offset = _TO_EU.get(system)
        number = value.get("value")
        if offset is None or not isinstance(number, int | float):
            return None
        return _half(float(number) + offset)
    if isinstance(value, int | float):
        return float(value)
    return None


def _half(size: float) -> float:
    return round(size * 2) / 2


def _price(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict) and ("max" in value or "min" in value):
        low, high = value.get("min"), value.get("max")
        if low is not None and low == high:  # "80 Euro" as a budget: up to 80
            low = None
        return {"min": low, "max": high, "currency": value.get("currency")}
    if isinstance(value, dict) and isinstance(value.get("amount"), int | float):
        return {"min": None, "max": float(value["amount"]), "currency": value.get("currency")}
    if isinstance(value, int | float):
        return {"min": None, "max": float(value), "currency": "EUR"}
    return None


def _number(value: Any, *, integer: bool) -> float | int | None:
    if isinstance(value, dict):
        value = value.get("value", value.get("amount"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if integer:
        return int(value) if float(value).is_integer() else None
    return float(value)


def _comparable(spec: SlotSpec, value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if spec.type == "price" and isinstance(value, Mapping):
        bound = value.get("max") if value.get("max") is not None else value.get("min")
        return float(bound) if isinstance(bound, int | float) else None
    return None


def _number_text(value: float, language: str) -> str:
    text = f"{value:g}" if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language == "de" else text


def _price_text(value: Mapping[str, Any], language: str) -> str:
    low, high = value.get("min"), value.get("max")

    def money(amount: Any) -> str:
        shown = _number_text(float(amount), language)
        return f"{shown} €" if language == "de" else f"€{shown}"

    if low is not None and high is not None:
        return f"{money(low)} – {money(high)}"
    if high is not None:
        return f"bis {money(high)}" if language == "de" else f"up to {money(high)}"
    if low is not None:
        return f"ab {money(low)}" if language == "de" else f"from {money(low)}"
    return ""


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere in the value (a crafted payload could bring one)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_finite(item) for item in value)
    return True
