"""Flow files as an owner writes them: every mistake names file, line and fix; every step works."""

from __future__ import annotations

from pathlib import Path

import pytest

from theke.bot import load_bot
from theke.content import QuickReplies, Text
from theke.dialogue import Engine, Inbound, Turn
from theke.errors import BotFolderError

THEKE_YML = "name: Testladen\nlanguages: [de]\n"
RESPONSES = """\
fallback: Wie bitte?
ask_zip: Deine Postleitzahl?
ask_gift: Ist es ein Geschenk?
ask_note: Was soll auf die Karte?
done: "Danke! PLZ {{ zip }}{% if gift %}, als Geschenk{% endif %}."
wrap: Wir packen es schön ein.
plain: Wir schicken es so.
express_note: Express ist gebucht.
"""
FLOWS = """\
checkout:
  triggers:
    - postback: CHECKOUT
  slots:
    zip: {type: text, validator: german_zip}
    gift: {type: boolean}
    note: {type: text}
    express: {type: boolean}
  steps:
    - ask: zip
      prompt: ask_zip
    - ask: gift
      prompt: ask_gift
    - if: gift
      then:
        - flow: gift_note
      else:
        - say: plain
        - goto: finish
    - say: wrap
    - id: finish
      action: mark_express
    - if: express
      then:
        - say: express_note
    - set: {zip: "{{ zip }}"}
    - end: done

gift_note:
  steps:
    - ask: note
      prompt: ask_note
"""
ACTIONS = """\
from theke.dialogue.actions import ActionContext, Invalid


def german_zip(value, ctx: ActionContext):
    digits = value.strip()
    if not (digits.isdigit() and len(digits) == 5):
        raise Invalid("Eine Postleitzahl hat fünf Ziffern, z. B. 80331.")
    return digits


def mark_express(ctx: ActionContext) -> None:
    ctx.set_slot("express", ctx.slots.get("zip", "").startswith("8"))
"""


def _bot(tmp_path: Path, flows: str = FLOWS, actions: str | None = ACTIONS) -> Path:
    (tmp_path / "responses").mkdir(exist_ok=True)
    (tmp_path / "flows").mkdir(exist_ok=True)
    (tmp_path / "theke.yml").write_text(THEKE_YML, encoding="utf-8")
    (tmp_path / "responses" / "de.yml").write_text(RESPONSES, encoding="utf-8")
    (tmp_path / "flows" / "checkout.yml").write_text(flows, encoding="utf-8")
    if actions is not None:
        (tmp_path / "actions.py").write_text(actions, encoding="utf-8")
    return tmp_path


def _texts(turn: Turn) -> list[str]:
    return [r.text for r in turn.replies if isinstance(r, Text | QuickReplies)]


class _Chat:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.state = engine, {"introduced": True}

    def send(self, inbound: Inbound) -> list[str]:
        turn = self.engine.handle(self.state, inbound, conversation_key="k")
        self.state = turn.state
        return _texts(turn)


def test_sub_flows_branches_goto_actions_and_validators(tmp_path: Path) -> None:
    chat = _Chat(Engine(load_bot(_bot(tmp_path))))
    assert chat.send(Inbound(postback="CHECKOUT")) == ["Deine Postleitzahl?"]
    assert chat.send(Inbound(text="8033")) == [
        "Eine Postleitzahl hat fünf Ziffern, z. B. 80331.",
        "Deine Postleitzahl?",
    ]
    assert chat.send(Inbound(text=" 80331 ")) == ["Ist es ein Geschenk?"]
    assert chat.send(Inbound(text="ja gerne")) == ["Was soll auf die Karte?"]
    assert chat.send(Inbound(text="Alles Gute, Oma!")) == [
        "Wir packen es schön ein.",
        "Express ist gebucht.",
        "Danke! PLZ 80331, als Geschenk.",
    ]


def test_goto_skips_what_the_other_branch_needs(tmp_path: Path) -> None:
    chat = _Chat(Engine(load_bot(_bot(tmp_path))))
    chat.send(Inbound(postback="CHECKOUT"))
    chat.send(Inbound(text="10115"))
    assert chat.send(Inbound(text="nein")) == ["Wir schicken es so.", "Danke! PLZ 10115."]


def test_an_action_that_raises_is_apologised_for_and_the_flow_goes_on(tmp_path: Path) -> None:
    broken = ACTIONS.replace('ctx.set_slot("express"', 'raise RuntimeError("db down")  #')
    chat = _Chat(Engine(load_bot(_bot(tmp_path, actions=broken))))
    chat.send(Inbound(postback="CHECKOUT"))
    chat.send(Inbound(text="10115"))
    texts = chat.send(Inbound(text="nein"))
    assert texts[0] == "Wir schicken es so."
    assert "schiefgegangen" in texts[1]
    assert texts[-1] == "Danke! PLZ 10115."


@pytest.mark.parametrize(
    ("old", "new", "line", "problem", "fix"),
    [
        ("    - ask: gift\n", "    - ask: gifts\n", 12, "there is no slot `gifts`",
         "did you mean `gift`?"),
        ("      prompt: ask_note", "      prompt: ask_notes", 32,
         "the response `ask_notes` is missing in responses/de.yml", "did you mean `ask_note`?"),
        ("        - flow: gift_note", "        - flow: gift_notes", 16,
         "there is no flow `gift_notes`", "did you mean `gift_note`?"),
        ("        - goto: finish", "        - goto: finnish", 19,
         "there is no step with the id `finnish` in this flow", "did you mean `finish`?"),
        ("      action: mark_express", "      action: mark_expres", 22,
         "there is no action `mark_expres`", "did you mean `mark_express`?"),
        ("    - if: express", "    - if: express >", 23, "the condition `express >` cannot be read",
         "write a comparison"),
        ("    - set: {zip:", "    - set: {zipp:", 26, "there is no slot `zipp`",
         "did you mean `zip`?"),
        ('done: "Danke!', 'done: "Danke!', 0, "", ""),  # control: unchanged is fine
        ("    - say: wrap\n", "    - sag: wrap\n", 20, "`sag` is not a kind of step",
         "did you mean `say`?"),
        ("    - say: wrap\n", "    - say: wrap\n      ask: zip\n", 20, "has both `say` and `ask`",
         "make them two steps"),
        ("  triggers:\n    - postback: CHECKOUT\n", "  triggers:\n    - intent: buy\n", 3,
         "the intent `buy` has no examples in nlu/", "add it with examples"),
        ("    zip: {type: text, validator: german_zip}", "    zip: {type: txt}", 5,
         "`txt` is not allowed here", ""),
    ],
)  # fmt: skip
def test_every_mistake_names_file_line_and_fix(
    tmp_path: Path, old: str, new: str, line: int, problem: str, fix: str
) -> None:
    assert old in FLOWS or old in RESPONSES
    folder = _bot(tmp_path, flows=FLOWS.replace(old, new))
    if not problem:
        load_bot(folder)
        return
    with pytest.raises(BotFolderError) as caught:
        load_bot(folder)
    error = caught.value
    assert error.path.endswith("flows/checkout.yml")
    assert error.line == line
    assert problem in error.problem
    assert fix in error.fix


def test_a_template_naming_an_unknown_variable_is_refused(tmp_path: Path) -> None:
    flows = FLOWS.replace('    - set: {zip: "{{ zip }}"}', '    - set: {zip: "{{ zipcode }}"}')
    with pytest.raises(BotFolderError) as caught:
        load_bot(_bot(tmp_path, flows=flows))
    assert caught.value.line == 26
    assert "`zipcode` is neither a slot nor one of" in caught.value.problem


def test_a_broken_actions_file_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(BotFolderError) as caught:
        load_bot(_bot(tmp_path, actions="def broken(:\n    pass\n"))
    assert caught.value.path.endswith("actions.py")
    assert caught.value.line == 1
    assert "syntax error" in caught.value.problem


def test_two_flows_may_not_start_on_the_same_payload(tmp_path: Path) -> None:
    flows = FLOWS + "\nagain:\n  triggers:\n    - postback: CHECKOUT\n  steps:\n    - say: plain\n"
    with pytest.raises(BotFolderError) as caught:
        load_bot(_bot(tmp_path, flows=flows))
    assert "already starts the flow `checkout`" in caught.value.problem


def test_flows_calling_each_other_in_a_circle_are_refused(tmp_path: Path) -> None:
    flows = FLOWS.replace("    - ask: note\n      prompt: ask_note\n", "    - flow: checkout\n")
    with pytest.raises(BotFolderError) as caught:
        load_bot(_bot(tmp_path, flows=flows))
    assert "call each other in a circle: checkout → gift_note → checkout" in caught.value.problem
    assert caught.value.line == 31  # the call that closes the circle
