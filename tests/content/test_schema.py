"""The committed JSON Schema and the examples in docs/content.md stay true."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from theke.content import content_json_schema, from_json
from theke.content.schema import REGENERATE, render_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "content-schema.json"
GUIDE = ROOT / "docs" / "content.md"


def test_committed_schema_is_up_to_date() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == render_schema(), f"docs/content-schema.json is stale; run: {REGENERATE}"


def test_schema_command_prints_the_schema() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "theke.content.schema"],
        check=True,
        capture_output=True,
        encoding="utf-8",
    ).stdout
    assert json.loads(printed) == content_json_schema()


def test_schema_requires_type_and_lists_every_content_type() -> None:
    schema = content_json_schema()
    assert set(schema["discriminator"]["mapping"]) == {
        "text",
        "quick_replies",
        "buttons",
        "card",
        "carousel",
        "media",
        "typing",
        "receipt",
        "consent",
    }
    for name in ("Text", "Card", "Typing", "PostbackButton"):
        assert schema["$defs"][name]["required"][0] == "type"
        assert schema["$defs"][name]["additionalProperties"] is False


def test_every_json_example_in_the_guide_is_valid_content() -> None:
    examples = re.findall(r"```json\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    types = {from_json(json.loads(example)).type for example in examples}
    assert types == {
        "text",
        "quick_replies",
        "buttons",
        "card",
        "carousel",
        "media",
        "typing",
        "receipt",
        "consent",
    }
