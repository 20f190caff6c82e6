"""Conversation test results as JUnit XML, for CI systems."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from theke.testing.stories import StoryResult

__all__ = ["write_junit"]


def write_junit(path: Path, suite: str, results: Sequence[StoryResult]) -> None:
    failures = sum(not result.passed for result in results)
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        time=f"{sum(result.seconds for result in results):.3f}",
    )
    for result in results:
        case = ET.SubElement(
            root,
            "testcase",
            classname=f"{suite}.{result.story.path.stem}",
            name=result.story.name,
            file=str(result.story.path),
            line=str(result.story.line or 0),
            time=f"{result.seconds:.3f}",
        )
        if result.failure is not None:
            failure = ET.SubElement(case, "failure", message=result.failure.splitlines()[0])
            failure.text = result.failure
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
