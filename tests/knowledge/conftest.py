"""A bot folder with knowledge files written into tmp_path, and the fixture FAQ."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from theke.bot.yamlsource import read_yaml
from theke.knowledge import Entry, load_knowledge

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = FIXTURES / "shop"
LANGUAGES = ("de", "en")

SHIPPING = """\
- id: shipping_time
  title: {de: Lieferzeit, en: Delivery time}
  questions:
    de: [Wie lange dauert der Versand?]
    en: [How long does shipping take?]
  answer:
    de: In 1–3 Werktagen.
    en: In 1–3 working days.
  follow_up: [returns]
"""

RETURNS = """\
- id: returns
  title: {de: Rücksendung, en: Returns}
  questions:
    de: [Wie schicke ich etwas zurück?]
    en: [How do I return something?]
  answer:
    de: Über das Retourenportal.
    en: Via the returns portal.
"""

WriteKnowledge = Callable[..., Path]


@pytest.fixture
def write_knowledge(tmp_path: Path) -> WriteKnowledge:
    """Write ``knowledge/<name>`` files (name → text) into a bot folder; returns the folder."""

    def write(files: dict[str, str]) -> Path:
        folder = tmp_path / "bot"
        (folder / "knowledge").mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / "knowledge" / name).write_text(text, encoding="utf-8")
        return folder

    return write


@pytest.fixture(scope="session")
def shop_entries() -> tuple[Entry, ...]:
    """The fixture FAQ of a sneaker shop: 28 entries in German and English."""
    return load_knowledge(SHOP, LANGUAGES)


def customer_messages() -> list[tuple[str, str]]:
    """(message, entry id) as customers write them (tests/knowledge/fixtures/queries.yml)."""
    table = read_yaml(FIXTURES / "queries.yml").data
    assert isinstance(table, dict)
    return [(str(text), entry_id) for entry_id, texts in table.items() for text in texts]


def out_of_scope() -> list[tuple[str, str]]:
    """(message, language) that no entry answers (tests/knowledge/fixtures/out_of_scope.yml)."""
    table = read_yaml(FIXTURES / "out_of_scope.yml").data
    assert isinstance(table, dict)
    return [(str(text), language) for language, texts in table.items() for text in texts]
