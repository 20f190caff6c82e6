"""Print the JSON Schema of content.

Regenerate the committed copy with ``python -m theke.content.schema > docs/content-schema.json``.
"""

from __future__ import annotations

import json
import sys

from theke.content.codec import content_json_schema

__all__ = ["REGENERATE", "main", "render_schema"]

REGENERATE = "python -m theke.content.schema > docs/content-schema.json"
"""The command that rewrites the committed schema file."""


def render_schema() -> str:
    """The schema as committed: indented, keys sorted, ending in a newline."""
    return json.dumps(content_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render_schema())


if __name__ == "__main__":
    main()
