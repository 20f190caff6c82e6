"""``theke init`` and ``theke chat``, driven the way scripts and shop owners drive them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def theke(
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "theke", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bots") / "mybot"
    result = theke("init", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def _lines(output: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_init_makes_a_bot_folder_that_validates(bot: Path) -> None:
    assert (bot / "theke.yml").is_file()
    assert (bot / "responses" / "de.yml").is_file()
    result = theke("validate", str(bot))
    assert result.returncode == 0
    assert result.stdout.startswith("ok:")


def test_init_refuses_to_overwrite(bot: Path) -> None:
    result = theke("init", str(bot))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(bot) in result.stderr


def test_jsonl_answers_each_line_in_order_and_ends_each_turn(bot: Path) -> None:
    script = "\n".join(
        json.dumps(line)
        for line in (
            {"customer": "c1", "text": "Hallo"},
            {"customer": "c2", "text": "hello"},
            {"customer": "c1", "postback": "GET_STARTED"},
        )
    )
    result = theke("chat", str(bot), "--jsonl", "--fresh", stdin=script)
    assert result.returncode == 0, result.stderr
    records = _lines(result.stdout)
    ends = [r for r in records if r.get("turn_end")]
    assert [r["customer"] for r in ends] == ["c1", "c2", "c1"]
    first_turn = records[: records.index(ends[0])]
    assert first_turn and all(r["customer"] == "c1" and "type" in r["content"] for r in first_turn)


def test_fresh_runs_repeat_exactly(bot: Path) -> None:
    script = '{"customer": "c1", "text": "Hallo"}\n{"customer": "c1", "text": "was?"}\n'
    first = theke("chat", str(bot), "--jsonl", "--fresh", stdin=script)
    second = theke("chat", str(bot), "--jsonl", "--fresh", stdin=script)
    assert first.stdout == second.stdout
    assert first.stdout


def test_bad_lines_get_a_clear_error_and_the_rest_is_answered(bot: Path) -> None:
    hallo = '{"customer": "c1", "text": "Hallo"}'
    script = f'{hallo}\nnot json\n{{"text": "no customer"}}\n{hallo}\n'
    result = theke("chat", str(bot), "--jsonl", "--fresh", stdin=script)
    records = _lines(result.stdout)
    errors = [r for r in records if "error" in r]
    assert [e["line"] for e in errors] == [2, 3]
    assert "not valid JSON" in errors[0]["error"]
    assert len([r for r in records if r.get("turn_end")]) == 2
    assert result.returncode == 1


def test_the_bot_folder_comes_from_theke_bot_then_the_current_directory(bot: Path) -> None:
    script = '{"customer": "c1", "text": "Hallo"}\n'
    from_cwd = theke("chat", "--jsonl", "--fresh", stdin=script, cwd=bot)
    assert from_cwd.returncode == 0, from_cwd.stderr
    import os

    env = {**os.environ, "THEKE_BOT": str(bot)}
    from_env = theke("chat", "--jsonl", "--fresh", stdin=script, env=env, cwd=bot.parent)
    assert from_env.stdout == from_cwd.stdout


def test_a_broken_bot_folder_names_file_and_line_without_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    assert theke("init", str(folder)).returncode == 0
    config = folder / "theke.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nlanguagess: [de]\n", encoding="utf-8")
    for command in (("validate", str(folder)), ("run", str(folder), "--port", "1")):
        result = theke(*command)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "theke.yml:" in result.stderr
        assert "languagess" in result.stderr
