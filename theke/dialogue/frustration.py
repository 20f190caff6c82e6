"""Whether a customer's message shows frustration, and why: the cue to hand over to a human.

Three signs are looked for, in this order; the first one found is the reason:

``phrase``
    An angry or despairing phrase, or a swear word, in German or English:
    "das ist doch lächerlich", "du verstehst gar nichts", "scheiße", "nutzloser
    bot", "this is ridiculous", "wtf". Phrases match whole words of the
    :func:`~theke.dialogue.normalize.normalize`-d text, so case, punctuation
    and umlauts spelt ``ae`` or without dots do not matter. Cheap typo
    tolerance: doubled letters count once ("scheiiisse", "scheise" and
    "scheisse" are one word), apostrophes may be left out ("dont"), and the
    usual masked spellings are listed, with any number of stars ("sch***",
    "f**ck"). A few stems count at the start of any word ("scheißladen",
    "arschlöcher").
    Only the first 2,000 characters are searched.

    Not frustration: requests ("ich will mein Geld zurück", "I want a
    refund"), problem reports ("der Gutschein funktioniert nicht"), status
    questions ("immer noch nicht da?") and mild exclamations about one's own
    mistake ("Mist, falsche Größe bestellt": ``mist`` alone is not a phrase,
    "so ein Mist" is). Swear words count even when not aimed at the shop:
    "Scheiße, falsche Größe" is flagged, a person reading it loses little.

``shouting``
    The message is mostly capitals: at least 12 cased letters, at least 70%
    of them upper case, and at least two upper-case words of three or more
    letters. Codes and acronyms are not shouting: words with a digit
    ("SC-123456", "EU43", "3XL") are left out, and so are common shop
    acronyms ("DHL", "XXL", "EU", "AGB"), so "Hallo, wo ist SC-123456 mit
    DHL?" is not shouting and "WO IST MEINE BESTELLUNG" is. ``ß`` counts as
    neither case (caps lock leaves it small).

``punctuation``
    Three or more ``?`` and ``!`` in a row, in any mix: "???", "!!!",
    "?!?", "??!!". One or two ("?!", "??", "!!") are ordinary emphasis. This
    is the weakest sign: "Danke!!!" is flagged too, so a caller may want it
    to count only together with another one (a miss, a repeated question).

The :attr:`Frustration.evidence` is customer text: show it to the agent, keep
it out of logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from theke.dialogue.normalize import normalize

__all__ = ["Frustration", "FrustrationReason", "frustration"]

FrustrationReason = Literal["phrase", "shouting", "punctuation"]

_MAX_INPUT = 2000  # characters searched for phrases: bounds the time on a pasted essay
_EVIDENCE = 80  # characters of evidence kept: enough to read, bounded for huge messages

_GERMAN = (
    "das ist doch lächerlich", "lächerlich", "lachhaft", "ein witz", "witzlos",
    "verstehst du mich nicht", "verstehst du nicht", "verstehst du es nicht",
    "du verstehst gar nichts", "du verstehst nichts", "du verstehst mich nicht",
    "versteht ihr nicht", "versteht ihr mich nicht", "verstehen sie mich nicht",
    "kapierst du nicht", "kapierst du es nicht", "raffst du nicht", "checkst du nicht",
    "bist du blöd", "bist du doof", "bist du dumm", "du bist dumm", "bist du behindert",
    "seid ihr blöd", "seid ihr dumm", "dummer bot", "blöder bot", "doofer bot", "dumme maschine",
    "blöde maschine", "nutzloser bot", "nutzlos", "unnütz", "unbrauchbar", "unfähig", "inkompetent",
    "idiot", "idioten", "idiotisch", "vollidiot", "trottel", "depp", "bescheuert", "bekloppt",
    "beknackt", "dämlich", "hirnlos", "so ein mist", "was für ein mist", "alles mist",
    "was soll der mist", "was soll der scheiß", "was soll der quatsch", "mistladen", "mistding",
    "mistteil", "saftladen", "schrottladen", "so ein dreck", "so ein quatsch", "schwachsinn",
    "blödsinn", "unsinn", "scheiße", "sch*", "schei*", "sch*ße", "kacke", "verdammt nochmal",
    "verdammt noch mal", "verdammter bot", "verflucht", "nervt", "nervst", "nervig", "genervt",
    "nervtötend", "geht mir auf die nerven", "geht mir auf den keks", "geht mir auf den sack",
    "unverschämt", "unverschämtheit", "frechheit", "dreist", "zumutung", "skandal", "zum kotzen",
    "kotzt mich an", "bringt nichts", "bringt nix", "bringt doch nichts", "hilft nicht",
    "hilft mir nicht", "hilft nix", "nicht hilfreich", "sinnlos", "zwecklos", "hoffnungslos",
    "mir reichts", "jetzt reichts", "jetzt reicht es", "mir reicht es", "es reicht mir",
    "schnauze voll", "nase voll", "bin sauer", "stinksauer", "wütend", "verärgert", "enttäuscht",
    "unzufrieden", "katastrophe", "katastrophal", "unterirdisch", "miserabel", "erbärmlich",
    "armselig", "schlechter service", "mieser service", "schlechtester service",
    "ihr seid unmöglich", "das geht gar nicht", "das darf doch nicht wahr sein",
    "das kann doch nicht wahr sein", "wie oft denn noch", "wie oft noch", "zum letzten mal",
    "hab ich doch schon gesagt", "habe ich doch schon gesagt", "hab ich schon gesagt",
    "habe ich schon gesagt", "hab ich schon geschrieben", "habe ich schon geschrieben",
    "du hast keine ahnung", "ihr habt keine ahnung", "null ahnung", "gegen eine wand",
    "mit dir kann man nicht reden", "ich dreh durch", "ich raste aus", "ich werd wahnsinnig",
    "ich werde wahnsinnig", "fick dich", "verpiss dich", "halts maul", "halt die klappe",
    "halt die fresse", "abzocke", "abgezockt", "betrug", "verarsche", "veräppeln",
)  # fmt: skip

_ENGLISH = (
    "this is ridiculous", "ridiculous", "you dont understand", "you do not understand",
    "u dont understand", "you dont get it", "you never understand", "you are not listening",
    "youre not listening", "are you stupid", "are you dumb", "r u stupid", "you are stupid",
    "youre stupid", "stupid bot", "dumb bot", "useless bot", "stupid machine", "useless",
    "pointless", "hopeless", "idiot", "idiots", "moron", "morons", "incompetent", "worst service",
    "worst customer service", "worst shop", "worst company", "terrible service", "horrible service",
    "awful service", "terrible support", "this is terrible", "this is awful", "this is horrible",
    "fed up", "sick of", "sick and tired", "waste of time", "wasting my time", "scam", "scammer",
    "scammers", "rip off", "ripoff", "what a joke", "this is a joke", "youre a joke",
    "are you kidding me", "you must be kidding", "unacceptable", "disgrace", "disgraceful",
    "disgusting", "pathetic", "annoying", "so annoying", "frustrating", "frustrated", "furious",
    "angry", "pissed", "pissed off", "wtf", "wth", "ffs", "what the hell", "what the heck",
    "what the fuck", "go to hell", "hell no", "shit", "shitty", "bullshit", "crap", "crappy",
    "dammit", "goddamn", "f*ck", "f*cking", "f* you", "f* off", "sh*t", "screw you", "screw this",
    "shut up", "nonsense", "you suck", "this sucks", "sucks", "not helpful", "not helping",
    "doesnt help", "talking to a wall", "for the last time", "how many times do i",
    "i already told you", "i already said", "i told you already",
)  # fmt: skip

_STEMS = (
    "scheiß", "kack", "arsch", "drecks", "fick", "verfick", "fuck", "verarsch", "abzock", "betrüg",
)  # fmt: skip
"""Word starts that are frustration whatever follows: "scheißladen", "arschlöcher", "fucking"."""

_ACRONYMS = frozenset(
    {"DHL", "DPD", "UPS", "GLS", "TNT", "XXL", "XXS", "XS", "XL", "EU", "US", "USA", "UK",
     "AGB", "FAQ", "PDF", "PLZ", "EUR", "USD", "CHF", "GBP", "IBAN", "BIC", "SEPA", "PIN",
     "TAN", "SMS", "NFC", "USB", "LED", "GPS", "MWST", "OK", "ID", "CEO", "ASAP"}
)  # fmt: skip
"""Capitals that are names of things, not raised voices."""

_APOSTROPHE = re.compile(r"(?<=\w)['’´`](?=\w)")
_MASK = re.compile(r"(?<=\w)\*+|\*+(?=\w)")
_DOUBLED = re.compile(r"([^\W\d_])\1+")
_MARKS = re.compile(r"[?!]{3,}")
_TOKEN_DIGIT = re.compile(r"\S*\d\S*")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Frustration:
    """Why a message reads as frustrated: the kind of sign and what showed it.

    ``evidence`` is the listed phrase (or word start) that matched, the shouted words, or the
    run of ``?``/``!`` (at most 80 characters).
    """

    reason: FrustrationReason
    evidence: str


def frustration(text: str) -> Frustration | None:
    """Whether ``text`` shows frustration, and why; ``None`` for an ordinary message."""
    text = text.strip()
    return _phrase(text) or _shouting(text) or _punctuation(text)


def _words(text: str) -> str:
    """The text as the phrases are compared: normalized, doubled letters once, masks as ``x``."""
    text = _APOSTROPHE.sub("", text)
    if "*" in text:
        text = _MASK.sub("x", text)
    return _DOUBLED.sub(r"\1", normalize(text))


@dataclass(slots=True)
class _Node:
    """One letter of the phrase tree; ``shown`` marks the end of a phrase or stem."""

    children: dict[str, _Node] = field(default_factory=dict)
    shown: str | None = None
    stem: bool = False


def _compile(phrases: Iterable[str], stems: Iterable[str]) -> tuple[re.Pattern[str], list[str]]:
    """One regex for all phrases and stems, and what each of its groups is shown as.

    The phrases share their beginnings in a tree, so the regex tries a few
    letters at each word instead of every phrase; each phrase ends in an
    empty group, whose number tells which phrase matched.
    """
    root = _Node()
    for shown, stem in [*((phrase, False) for phrase in phrases), *((s, True) for s in stems)]:
        node = root
        for char in _words(shown):
            node = node.children.setdefault(char, _Node())
        if node.shown is None:
            node.shown, node.stem = shown, stem
    order: list[str] = []
    return re.compile(r"\b" + _branches(root, "", order) + r"\b"), order


def _branches(node: _Node, previous: str, order: list[str]) -> str:
    """The regex for the subtree below ``node``; appends the groups' phrases to ``order``."""
    branches = []
    for char, child in node.children.items():
        # A customer without umlauts writes "lacherlich" and "blod": the e is optional.
        letter = "e?" if char == "e" and previous in ("a", "o", "u") else re.escape(char)
        branches.append(letter + _branches(child, char, order))
    if node.shown is not None:
        order.append(node.shown)
        branches.append(r"\w*()" if node.stem else "()")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


_PHRASES, _SHOWN = _compile((*_GERMAN, *_ENGLISH), _STEMS)


def _phrase(text: str) -> Frustration | None:
    found = _PHRASES.search(_words(text[:_MAX_INPUT]))
    if found is None or found.lastindex is None:
        return None
    return Frustration("phrase", _SHOWN[found.lastindex - 1])


def _shouting(text: str) -> Frustration | None:
    upper = lower = 0
    shouted: list[str] = []
    for word in _LETTERS.findall(_TOKEN_DIGIT.sub(" ", text)):
        if word in _ACRONYMS:
            continue
        capitals = sum(char != char.lower() for char in word)
        smalls = sum(char != char.upper() and char != "ß" for char in word)
        upper += capitals
        lower += smalls
        if capitals and not smalls and len(word) >= 3:
            shouted.append(word)
    cased = upper + lower
    if len(shouted) < 2 or cased < 12 or upper < 0.7 * cased:
        return None
    return Frustration("shouting", " ".join(shouted)[:_EVIDENCE])


def _punctuation(text: str) -> Frustration | None:
    found = _MARKS.search(text)
    return None if found is None else Frustration("punctuation", found[0][:_EVIDENCE])
