"""A small German and English shop training set, written like the YAML a shop owner writes."""

from __future__ import annotations

from pathlib import Path

from theke.nlu.data import TrainingData
from theke.nlu.readers import read_training_file

GERMAN = """\
nlu:
  - intent: shipping
    examples: |
      - wie lange dauert der versand
      - wann kommt meine lieferung an
      - was kostet der versand
      - liefert ihr auch nach österreich
      - wie schnell seid ihr mit dem versenden
      - versandkosten?
      - ab wann ist der versand kostenlos
      - wie lange brauch das paket
  - intent: returns
    examples: |
      - wie kann ich etwas zurückschicken
      - ich möchte die schuhe umtauschen
      - passt nicht, kann ich die zurückgeben
      - wie lange habe ich rückgaberecht
      - rücksendung kostenlos?
      - geld zurück wenn die nicht passen
      - retoure anmelden
      - umtausch in andere größe
  - intent: product_search
    examples: |
      - habt ihr [laufschuhe](category) [unter 100 euro](price)
      - ich suche [sneaker](category) von [adidas](brand)
      - zeig mir [rote](color) [turnschuhe](category:sneaker)
      - gibt es [sandalen](category) in [43](size)
      - ich brauche neue [treter](category:sneaker)
      - was habt ihr an [stiefeln](category)
      - suche [nike](brand) [air max](product) in [schwarz](color)
      - habt ihr was von [new balance](brand)
  - intent: greet
    examples: |
      - hallo
      - hi
      - moin
      - guten tag
      - servus 👋
      - hey paula
  - synonym: sneaker
    examples: |
      - treter
      - turnschuhe
  - lookup: brand
    examples: |
      - adidas
      - nike
      - new balance
      - asics
  - lookup: category
    examples: |
      - sneaker
      - laufschuhe
      - sandalen
      - stiefel
"""

ENGLISH = """\
nlu:
  - intent: shipping
    examples: |
      - how long does shipping take
      - when will my delivery arrive
      - how much is shipping
      - do you ship to austria
  - intent: returns
    examples: |
      - how can I return something
      - I want to exchange the shoes
      - can I get a refund
      - return policy?
  - intent: product_search
    examples: |
      - do you have [running shoes](category) [under 100 euros](price)
      - looking for [sneakers](category) from [adidas](brand)
      - show me [red](color) [trainers](category:sneaker)
  - intent: greet
    examples: |
      - hello
      - hi there
      - good morning
"""


def shop_data(tmp_path: Path) -> list[TrainingData]:
    """The German and English files written to ``tmp_path`` and read back."""
    (tmp_path / "de.yml").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "en.yml").write_text(ENGLISH, encoding="utf-8")
    return [
        read_training_file(tmp_path / "de.yml", "de"),
        read_training_file(tmp_path / "en.yml", "en"),
    ]
