"""The files of a new bot folder, as ``theke init`` writes them.

``@NAME@`` is replaced by the bot's name, ``@NAME_YAML@`` by the name quoted for YAML.
"""

from __future__ import annotations

__all__ = ["DIRECTORIES", "FILES"]

_THEKE_YML = """\
# The settings of your bot. Reference: docs/bot-folder.md
name: @NAME_YAML@
languages: [de, en]   # the first language is the default
# persona: Paula      # the name your assistant introduces itself with
address: du           # du or Sie: how the bot addresses customers in German

# Words that always get the same answer, checked from top to bottom.
keywords:
  - match: exact
    patterns: [stop]
    postback: STOP
  - match: exact
    patterns: [stopp, abmelden]
    postback: STOP
    language: de
  - match: exact
    patterns: [unsubscribe]
    postback: STOP
    language: en
  - match: exact
    patterns: [start]
    postback: START
  - match: exact
    patterns: [hi, hey]
    response: greet
  - match: exact
    patterns: [hallo, moin, servus, guten tag, guten morgen, guten abend]
    response: greet
    language: de
  - match: exact
    patterns: [hello, good morning, good evening]
    response: greet
    language: en
  - match: exact
    patterns: [hilfe, menü]
    response: help
    language: de
  - match: exact
    patterns: [help, menu]
    response: help
    language: en
  - match: contains
    patterns: [danke, vielen dank]
    response: thanks
    language: de
  - match: contains
    patterns: [thanks, thank you]
    response: thanks
    language: en

# What a tapped button or quick reply answers with (payload: response).
postbacks:
  GET_STARTED: greet
  HELP: help
  STOP: stop
  START: start

# The answer when nothing above matched.
fallback: fallback
"""

_RESPONSES_DE = """\
# The answers of your bot in German. Reference: docs/bot-folder.md
greet:
  text: >-
    Hallo! 👋 Ich bin der automatische Assistent dieses Shops und rund um die
    Uhr für dich da. Wobei kann ich dir helfen?
  quick_replies:
    - title: Was kannst du?
      payload: HELP

help: >-
  Schreib mir einfach deine Frage. Mit STOP meldest du dich von unseren
  Nachrichten ab, mit START wieder an.

thanks:
  - Gern geschehen! 😊
  - Sehr gern! Melde dich, wenn du noch etwas brauchst.

stop: >-
  Alles klar, du bekommst von uns keine Nachrichten mehr. Wenn du es dir anders
  überlegst, schreib einfach START.

start: >-
  Schön, dass du wieder dabei bist! Du bekommst wieder Nachrichten von uns.
  Mit STOP kannst du dich jederzeit abmelden.

fallback:
  - text: Das habe ich leider nicht verstanden. Magst du es anders formulieren?
    quick_replies:
      - title: Was kannst du?
        payload: HELP
  - text: Da muss ich passen, das verstehe ich noch nicht. Schau mal, was ich kann.
    quick_replies:
      - title: Was kannst du?
        payload: HELP
"""

_RESPONSES_EN = """\
# The answers of your bot in English. Reference: docs/bot-folder.md
greet:
  text: >-
    Hi! 👋 I am this shop's automated assistant, here for you around the
    clock. How can I help?
  quick_replies:
    - title: What can you do?
      payload: HELP

help: >-
  Just type your question. Send STOP to unsubscribe from our messages and
  START to subscribe again.

thanks:
  - You're welcome! 😊
  - Happy to help! Let me know if you need anything else.

stop: >-
  Done, you will not get any more messages from us. If you change your mind,
  just send START.

start: >-
  Welcome back! You will get our messages again. Send STOP at any time to
  unsubscribe.

fallback:
  - text: Sorry, I did not understand that. Could you put it another way?
    quick_replies:
      - title: What can you do?
        payload: HELP
  - text: I am afraid I cannot answer that yet. Here is what I can do.
    quick_replies:
      - title: What can you do?
        payload: HELP
"""

_NLU_DE = """\
# Intents: what customers mean, with German example sentences.
# Until there are some here, the bot answers through the keywords in theke.yml.
"""

_NLU_EN = """\
# Intents: what customers mean, with English example sentences.
# Until there are some here, the bot answers through the keywords in theke.yml.
"""

_PRODUCTS_CSV = (
    "sku,name,brand,category,price,currency,sizes,colors,description,image,url,popularity\n"
)

_GITIGNORE = """\
# Theke's working data (database, caches); never commit it.
.theke/
"""

_README = """\
# @NAME@

Dieser Ordner ist dein Bot. Alles, was er sagt, steht in einfachen Textdateien,
die du mit jedem Editor ändern und mit git versionieren kannst.

| Datei | Inhalt |
|---|---|
| `theke.yml` | Name, Sprachen, Schlüsselwörter (z. B. STOP) |
| `responses/de.yml`, `responses/en.yml` | die Antworten des Bots, pro Sprache |
| `nlu/` | Absichten mit Beispielsätzen |
| `flows/` | geführte Gespräche |
| `knowledge/` | häufige Fragen und Antworten |
| `catalog/products.csv` | dein Produktkatalog |
| `tests/` | Testgespräche: was Kunden schreiben, was der Bot antworten muss |

Welche Befehle es gibt, zeigt `theke --help` im Terminal. Passwörter und
Zugangsschlüssel gehören nie in diesen Ordner, sie kommen aus Umgebungsvariablen.

---

This folder is your bot. Everything it says lives in plain text files that you
can edit with any editor and version with git. `theke.yml` holds the name,
languages and keywords; `responses/<language>.yml` the answers; `theke --help`
lists the commands. Passwords and access tokens never go into this
folder; they come from environment variables.
"""

FILES: dict[str, str] = {
    "theke.yml": _THEKE_YML,
    "responses/de.yml": _RESPONSES_DE,
    "responses/en.yml": _RESPONSES_EN,
    "nlu/de.yml": _NLU_DE,
    "nlu/en.yml": _NLU_EN,
    "catalog/products.csv": _PRODUCTS_CSV,
    "README.md": _README,
    ".gitignore": _GITIGNORE,
}
"""Path inside the bot folder → file text."""

DIRECTORIES = ("flows", "knowledge", "tests")
"""Folders that start empty; each gets a ``.gitkeep`` so git keeps it."""
