"""Colours in German and English: "schwarze", "weiß", "dunkelblau", "navy blue", "bunt".

Each colour word becomes an entity ``"color"`` whose value is a canonical
English key (``"black"``, ``"navy"``, ``"multicolor"``, ...). ``COLOURS`` is
the built-in word table; a bot adds its own words with ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from theke.nlu.entities.context import ExtractContext
from theke.nlu.result import Entity

__all__ = ["COLOURS", "extract_colours"]

_CANONICAL = {
    "black": "schwarz black",
    "white": "weiß weiss weis white offwhite elfenbein ivory cremeweiß wollweiß",
    "red": "rot red bordeaux weinrot burgund burgundy kirschrot scarlet",
    "blue": "blau blue türkis turquoise himmelblau royalblau jeansblau cyan azur azure",
    "green": "grün green oliv olive olivgrün mint mintgrün tannengrün khakigrün",
    "yellow": "gelb yellow senfgelb zitronengelb mustard",
    "grey": "grau grey gray anthrazit anthracite silbergrau steingrau",
    "brown": "braun brown camel cognac schoko chocolate mokka taupe",
    "beige": "beige creme cream khaki ecru",
    "pink": "rosa pink rosé altrosa magenta fuchsia pinkfarben",
    "purple": "lila violett violet purple flieder lavendel lavender aubergine mauve",
    "orange": "orange orangen apricot",
    "navy": "navy marine marineblau navyblau dunkelblau",
    "gold": "gold golden",
    "silver": "silber silbern silver",
    "multicolor": "bunt mehrfarbig multicolor multicolour multicolored multicoloured "
    "colorful colourful regenbogen rainbow",
}
COLOURS: Mapping[str, str] = MappingProxyType(
    {word: key for key, words in _CANONICAL.items() for word in words.split()}
)
"""Colour words (lower case) and the canonical key each one means."""

# Words that shade the colour after them: "dunkel blau", "dark blue", "navy blue".
_MODIFIERS = MappingProxyType(
    {"dunkel": "dark", "dark": "dark", "hell": "", "light": "", "pale": "", "deep": "dark",
     "knall": "", "neon": "", "royal": "", "navy": "navy", "marine": "navy"}
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_SPELLED_UMLAUT = re.compile(r"(?<=[aou])e")
_ENDINGS = ("n", "en", "em", "er", "es", "e", "m", "r", "s")
_SUFFIXES = ("farben", "farbig", "farbe", "coloured", "colored", "ton")
_LOOKUP = MappingProxyType(
    {_SPELLED_UMLAUT.sub("", w.translate(_FOLD)): k for w, k in COLOURS.items()}
)
# First three letters of every colour and modifier word: other words are skipped at once.
_PREFIXES = frozenset(key[:3] for key in (*_LOOKUP, *_MODIFIERS))
# "Ich weiß nicht" is a verb, not the colour white.
_WEISS = frozenset({"weiss", "weis"})
_BEFORE_VERB = frozenset(
    {"ich", "er", "sie", "es", "man", "wer", "jemand", "niemand", "keiner", "bescheid"}
)
_AFTER_VERB = frozenset({"nicht", "nich", "net", "ned", "ich", "es", "ob", "dass", "das", "was",
                         "wie", "wo", "wann",
                         "noch", "schon", "auch", "leider", "gar", "nur", "genau", "jetzt",
                         "bescheid", "er", "sie", "man", "wer", "welche", "welcher"})  # fmt: skip


def extract_colours(
    text: str, context: ExtractContext, extra: Mapping[str, str] | None = None
) -> list[Entity]:
    """Colour words in ``text`` as entities ``"color"``.

    ``extra`` maps a bot's own lower-case words to canonical keys (``{"petrol":
    "blue"}``); it is consulted before the built-in table.
    """
    words = list(_WORD.finditer(text))
    entities: list[Entity] = []
    skip_until = -1
    for index, word in enumerate(words):
        if word.start() < skip_until or (extra is None and _prefix(word.group()) not in _PREFIXES):
            continue
        after = words[index + 1] if index + 1 < len(words) else None
        entity = _shaded(text, word, after, extra) or _plain(text, words, index, extra)
        if entity is not None:
            entities.append(entity)
            skip_until = entity.end
    return entities


def _prefix(word: str) -> str:
    return _SPELLED_UMLAUT.sub("", word[:4].lower().translate(_FOLD))[:3]


def _shaded(
    text: str, word: re.Match[str], after: re.Match[str] | None, extra: Mapping[str, str] | None
) -> Entity | None:
    """ "dunkel blau", "light grey", "navy blue": a modifier word and the colour after it."""
    shade = _MODIFIERS.get(word.group().lower())
    if shade is None or after is None or after.start() - word.end() > 1:
        return None
    colour = _colour(after.group(), extra)
    if colour is None:
        return None
    value = _shade(shade, colour)
    return Entity("color", word.start(), after.end(), text[word.start() : after.end()], value)


def _plain(
    text: str, words: list[re.Match[str]], index: int, extra: Mapping[str, str] | None
) -> Entity | None:
    word = words[index]
    colour = _colour(word.group(), extra)
    if colour is None:
        lowered = word.group().lower().translate(_FOLD)
        shade = next((m for m in _MODIFIERS if lowered.startswith(m) and lowered != m), None)
        if shade is None or (colour := _colour(lowered[len(shade) :], extra)) is None:
            return None
        colour = _shade(_MODIFIERS[shade], colour)
    elif _is_verb(word.group(), words, index):
        return None
    return Entity("color", word.start(), word.end(), word.group(), colour)


def _colour(word: str, extra: Mapping[str, str] | None) -> str | None:
    lowered = word.lower()
    if extra:
        found = extra.get(lowered)
        if found is not None:
            return found
    folded = _SPELLED_UMLAUT.sub("", lowered.translate(_FOLD))
    for stem in _stems(folded):
        colour = (extra.get(stem) if extra else None) or _LOOKUP.get(stem)
        if colour is not None:
            return colour
    return None


def _stems(folded: str) -> list[str]:
    """The word, then the word without an inflection ending or a "-farben" suffix."""
    stems = [folded] + [folded[: -len(e)] for e in _ENDINGS if folded.endswith(e)]
    for stem in list(stems):
        stems += [stem[: -len(s)] for s in _SUFFIXES if stem.endswith(s) and len(stem) > len(s)]
    return stems


def _shade(shade: str, colour: str) -> str:
    return "navy" if shade in {"dark", "navy"} and colour == "blue" else colour


def _is_verb(word: str, words: list[re.Match[str]], index: int) -> bool:
    if _SPELLED_UMLAUT.sub("", word.lower().translate(_FOLD)) not in _WEISS:
        return False
    before = words[index - 1].group().lower() if index > 0 else ""
    after = words[index + 1].group().lower() if index + 1 < len(words) else ""
    return before in _BEFORE_VERB or after in _AFTER_VERB
