"""Tokens and CRF features for the slot tagger.

:func:`tokenize` cuts a message into words and punctuation with character
offsets; :func:`featurize` describes each token for the CRF: the folded word,
its prefixes and suffixes, its shape, number and time patterns, a small German
and English gazetteer of time words, the words around it, membership in the
bot's lookup tables and the word's subword-embedding clusters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from theke.nlu.normalize import fold

__all__ = ["Features", "LookupMatcher", "Token", "featurize", "token_words", "tokenize"]

Token = tuple[int, int]
Features = dict[str, str | float]

# Numbers with inner separators ("44,5", "6:30", "1.000"), then words that may
# hold inner hyphens, apostrophes, dots, "&" and "@" ("SC-123456", "e-mail",
# "R&B", "shop.de"), then any other single character ("€", "?", "😀").
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)+|[^\W_]+(?:[-'’.&@][^\W_]+)*|\S")
# Control characters and lone surrogates cannot go into crfsuite's C strings.
_UNSAFE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")
_UPPER = re.compile(r"[^\W\d_]", re.UNICODE)
_DIGIT = re.compile(r"\d")
_RUN = re.compile(r"(.)\1+")
_TIME_WORDS = frozenset(
    """
    heute morgen uebermorgen gestern vorgestern abend abends morgens mittag mittags
    nachmittag nachmittags vormittag vormittags nacht nachts frueh spaet uhr minute minuten
    stunde stunden tag tage tagen woche wochen wochenende monat monate jahr jahre jetzt
    gerade sofort bald naechste naechsten naechster naechstes kommende kommenden heutige
    morgige montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag montags
    dienstags mittwochs donnerstags freitags samstags sonntags januar februar maerz april
    mai juni juli august september oktober november dezember jan feb mrz apr jun jul aug
    sep sept okt nov dez today tomorrow yesterday tonight morning evening afternoon noon
    midnight night now week weekend weeks month months year years day days hour hours
    minute minutes am pm oclock next coming monday tuesday wednesday thursday friday
    saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays
    january february march june july october december
    """.split()
)
_WINDOW = (-2, -1, 1, 2)


def tokenize(text: str) -> list[Token]:
    """(start, end) of every word and punctuation mark in ``text``."""
    return [match.span() for match in _TOKEN.finditer(text)]


def token_words(text: str, tokens: Sequence[Token]) -> list[str]:
    """The tokens' text, with characters no model can take (NUL, lone surrogates) as "?"."""
    return [_UNSAFE.sub("?", text[start:end]) for start, end in tokens]


@dataclass(frozen=True, slots=True)
class LookupMatcher:
    """Finds the entries of the bot's lookup tables in a token sequence (folded words)."""

    tables: Mapping[str, frozenset[tuple[str, ...]]]
    longest: int

    @classmethod
    def build(cls, lookups: Mapping[str, Sequence[str]]) -> LookupMatcher:
        tables = {
            name: frozenset(phrase for entry in entries if (phrase := _phrase(entry)))
            for name, entries in sorted(lookups.items())
        }
        longest = max((len(p) for phrases in tables.values() for p in phrases), default=0)
        return cls(tables, longest)

    def marks(self, words: Sequence[str]) -> list[dict[str, str]]:
        """Per token: lookup name → "B" (first word of an entry) or "I"."""
        marks: list[dict[str, str]] = [{} for _ in words]
        for name, phrases in self.tables.items():
            start = 0
            while start < len(words):
                size = self._match(phrases, words, start)
                for offset in range(size):
                    marks[start + offset][name] = "I" if offset else "B"
                start += max(size, 1)
        return marks

    def _match(self, phrases: frozenset[tuple[str, ...]], words: Sequence[str], start: int) -> int:
        for size in range(min(self.longest, len(words) - start), 0, -1):
            if tuple(words[start : start + size]) in phrases:
                return size
        return 0


def featurize(
    words: Sequence[str],
    clusters: Sequence[tuple[int, ...]],
    lookups: LookupMatcher,
) -> list[Features]:
    """The CRF features of each of :func:`token_words` (with its cluster ids)."""
    folded = [_UNSAFE.sub("?", fold(word)) for word in words]
    own = [_word_features(word, low) for word, low in zip(words, folded, strict=True)]
    marks = lookups.marks(folded)
    return [
        _token_features(index, folded, own, clusters, marks[index]) for index in range(len(words))
    ]


def _token_features(
    index: int,
    folded: Sequence[str],
    own: Sequence[Features],
    clusters: Sequence[tuple[int, ...]],
    marks: Mapping[str, str],
) -> Features:
    features: Features = {"bias": 1.0, **own[index]}
    for offset in _WINDOW:
        other = index + offset
        if 0 <= other < len(folded):
            features[f"{offset}w"] = folded[other]
            features[f"{offset}sh"] = own[other]["sh"]
            if "time" in own[other]:
                features[f"{offset}time"] = 1.0
    for size, cluster in zip((32, 128, 512), clusters[index], strict=False):
        features[f"c{size}"] = str(cluster)
    for offset in (-1, 1):
        other = index + offset
        if 0 <= other < len(folded) and len(clusters[other]) > 1:
            features[f"{offset}c128"] = str(clusters[other][1])
    for name, mark in marks.items():
        features[f"lookup:{_UNSAFE.sub('?', name)}"] = mark
    return features


def _word_features(word: str, low: str) -> Features:
    shape = _DIGIT.sub("d", _UPPER.sub(lambda m: "X" if m.group().isupper() else "x", word))
    features: Features = {"w": low, "sh": _RUN.sub(r"\1", shape), "shl": shape[:6]}
    for size in (2, 3, 4):
        if len(low) > size:
            features[f"p{size}"] = low[:size]
            features[f"s{size}"] = low[-size:]
    if word[:1].isupper():
        features["title"] = 1.0
    if word.isupper() and len(word) > 1:
        features["upper"] = 1.0
    if word.isdigit():
        features["digits"] = str(min(len(word), 5))
    if _CLOCK.fullmatch(word) or low in _TIME_WORDS:
        features["time"] = 1.0
    if not word[:1].isalnum():
        features["punct"] = 1.0
    return features


def _phrase(entry: str) -> tuple[str, ...]:
    return tuple(fold(entry[start:end]) for start, end in tokenize(entry))
