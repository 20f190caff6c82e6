"""Postal addresses as customers type them into a chat: one message, any common layout.

"Max Mustermann, Hauptstraße 5, 10115 Berlin", the same on several lines, or on
one line without commas; a country word at the end ("1010 Wien, Österreich"),
an old-style prefix ("A-1010 Wien"), "c/o" lines, and house numbers like "5a",
"5 a", "12-14" or "12/3". :func:`parse_address` returns an :class:`Address` or
raises :class:`AddressProblem` saying which part is missing, so the bot can ask
for exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from theke.errors import ThekeError

__all__ = [
    "Address",
    "AddressProblem",
    "Reason",
    "country_code",
    "country_name",
    "parse_address",
]

Reason = Literal["street", "postcode", "city", "empty", "too_long", "country"]

MAX_LENGTH = 400
"""The longest text read as an address; a longer message is not one."""
_MAX_LINES = 10

# ISO code → postcode pattern, German name, other names (German, English, native).
_COUNTRIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "DE": ("[0-9]{5}", "Deutschland", ("germany", "brd", "allemagne", "d")),
    "AT": ("[0-9]{4}", "Österreich", ("oesterreich", "osterreich", "austria", "a")),
    "CH": ("[0-9]{4}", "Schweiz", ("switzerland", "suisse", "svizzera")),
    "LI": ("[0-9]{4}", "Liechtenstein", ("fl",)),
    "LU": ("[0-9]{4}", "Luxemburg", ("luxembourg", "l")),
    "BE": ("[0-9]{4}", "Belgien", ("belgium", "belgique", "belgië", "belgie", "b")),
    "NL": ("[0-9]{4} ?[A-Z]{2}", "Niederlande", ("netherlands", "the netherlands", "nederland")),
    "DK": ("[0-9]{4}", "Dänemark", ("daenemark", "denmark", "danmark")),
    "FR": ("[0-9]{5}", "Frankreich", ("france", "f")),
    "MC": ("980[0-9]{2}", "Monaco", ()),
    "IT": ("[0-9]{5}", "Italien", ("italy", "italia", "i")),
    "ES": ("[0-9]{5}", "Spanien", ("spain", "españa", "espana", "e")),
    "PT": ("[0-9]{4}-[0-9]{3}", "Portugal", ("p",)),
    "PL": ("[0-9]{2}-[0-9]{3}", "Polen", ("poland", "polska")),
    "CZ": ("[0-9]{3} ?[0-9]{2}", "Tschechien", ("czechia", "czech republic", "česko")),
    "SK": ("[0-9]{3} ?[0-9]{2}", "Slowakei", ("slovakia", "slovensko")),
    "SE": ("[0-9]{3} ?[0-9]{2}", "Schweden", ("sweden", "sverige", "s")),
    "GR": ("[0-9]{3} ?[0-9]{2}", "Griechenland", ("greece", "hellas")),
    "FI": ("[0-9]{5}", "Finnland", ("finland", "suomi", "fin")),
    "NO": ("[0-9]{4}", "Norwegen", ("norway", "norge", "n")),
    "HU": ("[0-9]{4}", "Ungarn", ("hungary", "magyarország", "h")),
    "SI": ("[0-9]{4}", "Slowenien", ("slovenia", "slovenija", "slo")),
    "HR": ("[0-9]{5}", "Kroatien", ("croatia", "hrvatska")),
    "EE": ("[0-9]{5}", "Estland", ("estonia", "eesti", "est")),
    "LT": ("[0-9]{5}", "Litauen", ("lithuania", "lietuva")),
    "LV": ("[0-9]{4}", "Lettland", ("latvia", "latvija")),
    "RO": ("[0-9]{6}", "Rumänien", ("romania", "românia")),
    "BG": ("[0-9]{4}", "Bulgarien", ("bulgaria",)),
}
_WORDS = {
    word: code
    for code, (_, german, others) in _COUNTRIES.items()
    for word in (code.lower(), german.casefold(), *others)
}
_AMBIGUOUS_WORDS = {word for word in _WORDS if len(word) <= 3}
"""Codes and letters that count as a country after a city only when written in capitals."""
_CITY_HINTS = {
    **dict.fromkeys(("wien", "graz", "linz", "salzburg", "innsbruck", "klagenfurt"), "AT"),
    **dict.fromkeys(("villach", "wels", "st. pölten", "dornbirn", "bregenz"), "AT"),
    **dict.fromkeys(("zürich", "zurich", "genf", "genève", "geneve", "basel", "bern"), "CH"),
    **dict.fromkeys(("lausanne", "winterthur", "luzern", "st. gallen", "lugano"), "CH"),
    **dict.fromkeys(("vaduz", "schaan"), "LI"),
    **dict.fromkeys(("bruxelles", "brussel", "brüssel", "antwerpen", "gent", "liège"), "BE"),
    **dict.fromkeys(("københavn", "kopenhagen", "aarhus", "odense"), "DK"),
    **dict.fromkeys(("oslo", "bergen"), "NO"),
    **dict.fromkeys(("budapest",), "HU"),
    **dict.fromkeys(("ljubljana", "maribor"), "SI"),
}
"""Cities that settle which country a four-digit postcode belongs to."""

_LABEL = re.compile(
    r"(?:meine\s+|my\s+|die\s+|unsere\s+)?(?:liefer|rechnungs|versand|post|shipping\s+)?"
    r"(?:adresse|anschrift|address)\b(?:\s+(?:ist|is|lautet))?\s*:?\s*",
    re.IGNORECASE,
)
_NUMBER = r"[0-9]{1,5}(?: ?[A-Za-z](?![^\W\d_]))?(?: ?[-/] ?[0-9]{1,5}(?: ?[A-Za-z](?![^\W\d_]))?)?"
_NUMBER_LAST = re.compile(rf"(?P<words>.*[^\W\d_].*?) ?(?P<number>{_NUMBER})")
_NUMBER_FIRST = re.compile(
    r"(?P<number>[0-9]{1,5}(?: ?[A-Za-z](?![^\W\d_]))?(?: (?:bis|ter))?),? (?P<words>[^\W\d_].*)"
)
_PREFIXES = {
    **{code: code for code in _COUNTRIES},
    **{"D": "DE", "A": "AT", "FL": "LI", "L": "LU", "B": "BE", "F": "FR", "I": "IT", "E": "ES"},
    **{"P": "PT", "S": "SE", "FIN": "FI", "SF": "FI", "N": "NO", "H": "HU", "SLO": "SI"},
    **{"EST": "EE"},
}
"""Country prefixes written before a postcode: ``D-10115``, ``A-1010``, ``CH-8001``."""
_PREFIX = r"(?:(?P<prefix>[A-Za-z]{1,3}) ?- ?)?"
_STRICT = {
    code: re.compile(rf"{_PREFIX}(?P<postcode>{pattern}) (?P<city>.*[^\W\d_].*)")
    for code, (pattern, _, _) in _COUNTRIES.items()
}
_LENIENT = {code: re.compile(pattern.pattern, re.IGNORECASE) for code, pattern in _STRICT.items()}
"""For a country the customer named: ``1234 ab`` is then a Dutch postcode."""
_BARE = {
    code: re.compile(rf"{_PREFIX}{pattern}", re.IGNORECASE)
    for code, (pattern, _, _) in _COUNTRIES.items()
}

_STREET_WORDS = (
    "straße strasse str. str weg gasse gässle platz allee damm ufer chaussee pfad steig stieg "
    "markt graben brücke kai zeile promenade twiete deich"
).split()
"""Endings that make a word a street name; the house number's words start at the last one."""
_GENERIC = frozenset(
    "straße strasse str. str allee weg platz markt damm gasse chaussee ufer promenade".split()
)
"""Street words that stand alone after an adjective: "Neue Schönhauser Straße"."""
_STARTS = frozenset(
    "am an auf aus im in zum zur unter hinter vor bei beim über ober nach "
    "rue via viale piazza corso avenue boulevard chemin route place calle avenida plaza rua "
    "ulica ul. sankt st.".split()
)
_LINKS = frozenset("der die das den dem des am an auf im in zum zur unter hinter vor bei".split())
_ADJECTIVES = frozenset(
    "neue neuer neues alte alter altes große großer grosse grosser kleine kleiner lange "
    "langer hohe hoher obere oberer untere unterer breite breiter hintere vordere".split()
)


class AddressProblem(ThekeError):
    """The text is not a complete address; ``reason`` names the part that is missing.

    ``street`` (street and house number), ``postcode``, ``city``, ``empty`` or
    ``too_long`` (the message is not an address), ``country`` (the postcode fits
    several countries the shop ships to, none of them named).
    """

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"the address has no recognisable {reason}")
        self.reason: Reason = reason


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address. ``country`` is an ISO 3166-1 alpha-2 code."""

    name: str | None
    street: str
    postcode: str
    city: str
    country: str

    def lines(self, *, home: str = "DE") -> tuple[str, ...]:
        """The address as printed on a parcel; the country line only outside ``home``."""
        names = tuple(re.split(r" (?=c/o )", self.name, flags=re.IGNORECASE)) if self.name else ()
        place = (f"{self.postcode} {self.city}",)
        abroad = (country_name(self.country),) if self.country != home.upper() else ()
        return (*names, self.street, *place, *abroad)

    def to_json(self) -> dict[str, str | None]:
        """A JSON object, as stored with an order."""
        return {
            "name": self.name,
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "country": self.country,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Address | None:
        """The address :meth:`to_json` wrote; ``None`` when ``data`` is not one."""
        parts = [data.get(key) for key in ("street", "postcode", "city", "country")]
        name = data.get("name")
        if not all(isinstance(part, str) and part for part in parts):
            return None
        if not (name is None or isinstance(name, str)):
            return None
        street, postcode, city, country = (str(part) for part in parts)
        if not re.fullmatch("[A-Z]{2}", country):
            return None
        return cls(name or None, street, postcode, city, country)


def country_name(code: str) -> str:
    """The German name of a country Theke knows addresses of, else the code itself."""
    known = _COUNTRIES.get(code.upper())
    return known[1] if known else code.upper()


def country_code(word: str) -> str | None:
    """The ISO code for a country word: ``Österreich``, ``Austria``, ``AT`` → ``"AT"``."""
    return _WORDS.get(_fold(word))


def parse_address(
    text: str, *, default_country: str = "DE", countries: Collection[str] | None = None
) -> Address:
    """The postal address in ``text``, in any common layout.

    Without a country word or prefix, the postcode decides: it is read as one of
    ``default_country`` first, then of ``countries`` (all known ones when ``None``).
    Raises :class:`AddressProblem` with the part that is missing.
    """
    segments = _segments(text)
    named, segments = _named_country(segments)
    candidates = _candidates(named, default_country, countries)
    head, postcode, city, country = _place(segments, candidates, named is not None)
    name, street = _name_and_street(head)
    return Address(name, street, postcode, city, country)


def _fold(word: str) -> str:
    return " ".join(word.replace(".", " ").split()).casefold()


def _segments(text: str) -> list[str]:
    if len(text) > MAX_LENGTH or text.count("\n") >= _MAX_LINES:
        raise AddressProblem("too_long")
    segments = [" ".join(part.split()) for part in re.split(r"[\n\r,;]", text)]
    segments = [segment for segment in segments if segment]
    if segments:
        label = _LABEL.match(segments[0])
        if label is not None and label.end() > 0:
            segments[0] = segments[0][label.end() :]
            segments = [segment for segment in segments if segment]
    if not segments:
        raise AddressProblem("empty")
    return segments


def _named_country(segments: list[str]) -> tuple[str | None, list[str]]:
    """A country written as the last line or after the city, and the segments without it."""
    whole = _WORDS.get(_fold(segments[-1]))
    if whole is not None:
        return whole, segments[:-1]
    words = segments[-1].split(" ")
    for count in (3, 2, 1):
        if len(words) <= count:
            continue
        tail = " ".join(words[-count:])
        code = _WORDS.get(_fold(tail))
        if code is None or (_fold(tail) in _AMBIGUOUS_WORDS and tail != code):
            continue
        shorter = " ".join(words[:-count])
        if _match(shorter, [code], named=True) is not None:
            return code, [*segments[:-1], shorter]
    return None, segments


def _candidates(named: str | None, default: str, countries: Collection[str] | None) -> list[str]:
    if named is not None:
        return [named]
    others = list(_COUNTRIES) if countries is None else [code.upper() for code in countries]
    return list(dict.fromkeys(code for code in (default.upper(), *others) if code in _COUNTRIES))


def _place(
    segments: list[str], candidates: list[str], named: bool
) -> tuple[list[str], str, str, str]:
    """The segments before the postcode, and postcode, city and country of the last one."""
    if not segments:
        raise AddressProblem("postcode")
    last = segments[-1]
    found = _match(last, candidates, named=named)
    if found is None:
        bare = any(_BARE[code].fullmatch(last) for code in candidates)
        raise AddressProblem("city" if bare else "postcode")
    before, postcode, city, country = found
    head = [*segments[:-1], before] if before else segments[:-1]
    return head, postcode, city, country


def _match(segment: str, candidates: list[str], *, named: bool) -> tuple[str, str, str, str] | None:
    """The rightmost postcode followed by a city: the text before it, postcode, city, country."""
    starts = [0, *(found.end() for found in re.finditer(" ", segment))]
    for start in reversed(starts):
        hits = _hits(segment, start, candidates, named=named)
        if hits:
            code, hit = _best(hits, candidates[0] if candidates else None)
            postcode = _postcode(hit.group("postcode"), code)
            return segment[:start].strip(), postcode, hit.group("city"), code
    return None


def _hits(
    segment: str, start: int, candidates: list[str], *, named: bool
) -> list[tuple[str, re.Match[str]]]:
    """The countries whose postcode and city fit at ``start``.

    A country that is not a candidate fits when the prefix or the city names it
    (``A-1010 Wien``), unless the customer named the country.
    """
    others = () if named else (code for code in _COUNTRIES if code not in candidates)
    patterns = _LENIENT if named else _STRICT
    hits = []
    for code in (*candidates, *others):
        hit = patterns[code].fullmatch(segment, start)
        if hit is None:
            continue
        says = _says(hit)
        if hit.group("prefix") is not None and says != code:
            continue
        if code in candidates or says == code:
            hits.append((code, hit))
    return hits


def _says(hit: re.Match[str]) -> str | None:
    """The country a postcode's prefix or its city names, if any."""
    prefix = hit.group("prefix")
    if prefix is not None:
        return _PREFIXES.get(prefix.upper())
    return _CITY_HINTS.get(hit.group("city").casefold())


def _best(hits: list[tuple[str, re.Match[str]]], default: str | None) -> tuple[str, re.Match[str]]:
    """Of several countries whose postcode fits: the one the prefix or the city names, else
    the default country, else the one with the longest postcode. Two others with postcodes
    alike ("3600 Thun": Austria or Switzerland) raise :class:`AddressProblem` ``country``:
    guessing would ship and charge to the wrong country."""
    for code, hit in hits:
        if _says(hit) == code:
            return code, hit
    for code, hit in hits:
        if code == default:
            return code, hit
    longest = max(len(hit.group("postcode")) for _, hit in hits)
    best = [(code, hit) for code, hit in hits if len(hit.group("postcode")) == longest]
    if len({code for code, _ in best}) > 1:
        raise AddressProblem("country")
    return best[0]


def _postcode(raw: str, country: str) -> str:
    code = raw.upper()
    if country == "NL":
        return f"{code[:4]} {code[-2:]}"
    return code


def _name_and_street(head: list[str]) -> tuple[str | None, str]:
    head = _number_first(head)
    index = _street_index(head)
    street = ", ".join(head[index:])
    if index > 0:
        return _join_names(head[:index]), street
    name, first = _split_line(head[0])
    return name, ", ".join([first, *head[1:]])


def _number_first(head: list[str]) -> list[str]:
    """``2, rue de la Loi`` was cut at its comma: join a lone house number to its street."""
    joined: list[str] = []
    for segment in head:
        if joined and re.fullmatch(_NUMBER, joined[-1]):
            joined[-1] = f"{joined[-1]}, {segment}"
        else:
            joined.append(segment)
    return joined


def _street_index(head: list[str]) -> int:
    for pattern in (_NUMBER_LAST, _NUMBER_FIRST):
        for index in reversed(range(len(head))):
            if pattern.fullmatch(head[index]):
                return index
    raise AddressProblem("street")


def _join_names(parts: list[str]) -> str:
    joined = parts[0]
    for part in parts[1:]:
        joined += (" " if part.casefold().startswith("c/o") else ", ") + part
    return joined


def _split_line(line: str) -> tuple[str | None, str]:
    """A name and a street typed on one line: "Max Mustermann Am Markt 12"."""
    found = _NUMBER_LAST.fullmatch(line)
    if found is None:  # a street with the number first has no name before it
        return None, line
    words = found.group("words").split(" ")
    start = _street_start(words)
    if start <= 1:  # one word is no name, but a street's first word: "Mainzer Landstr. 1"
        return None, line
    return " ".join(words[:start]), line[len(" ".join(words[:start])) + 1 :]


def _street_start(words: list[str]) -> int:
    """Where the street begins among the words before the house number."""
    for index in reversed(range(len(words))):
        word = words[index].casefold()
        if word in _STARTS and index + 1 < len(words):
            return index
        if any(word.endswith(ending) for ending in _STREET_WORDS):
            return _extend(words, index)
    return len(words) - 1 if len(words) >= 3 else 0


def _extend(words: list[str], index: int) -> int:
    """Include the articles, prepositions and adjectives in front of a street word."""
    generic = words[index].casefold() in _GENERIC and index == len(words) - 1
    start = index
    while start > 0:
        before = words[start - 1]
        folded = before.casefold()
        if folded in _LINKS or folded in _ADJECTIVES:
            start -= 1
        elif generic and start == index and before[:1].isupper() and folded.endswith("er"):
            start -= 1
        else:
            break
    return start
