"""Answers the engine composes itself: the introduction, FAQ answers and the fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from theke.content import Content
from theke.dialogue import handover, runner
from theke.dialogue.context import TurnContext, variant_index
from theke.dialogue.state import DialogueState
from theke.dialogue.templates import render
from theke.dialogue.texts import HUMAN_PAYLOAD, system_text
from theke.nlu.result import Parse

if TYPE_CHECKING:
    from theke.dialogue.engine import Engine

__all__ = ["answer_entry", "fallback", "guesses", "intro"]

_GUESSES = 2
_GUESS_FLOOR = 0.1  # below this an intent is no guess worth offering


def intro(ctx: TurnContext, before: DialogueState) -> None:
    """Say that this is an automated assistant: at the start, and after a human handed back;
    greet a customer we know by name when they come back."""
    if ctx.handoff or not ctx.replies:
        return
    first: list[Content] = []
    name = ctx.customer.get("name")
    if isinstance(name, str) and name and (ctx.returning or before.turns == 0):
        first.extend(system_text("welcome_back", ctx.language, ctx.address, name=name))
    if not before.introduced:
        first.extend(_introduction(ctx, "intro" if before.turns == 0 else "intro_again"))
    ctx.replies[0:0] = first


def _introduction(ctx: TurnContext, key: str) -> list[Content]:
    config = ctx.bot.config
    if key in ctx.bot.responses.keys(ctx.language):
        ctx.event("response", key=key, language=ctx.language)
        variables = ctx.variables()
        return [render(m, variables) for m in ctx.bot.responses.get(key, ctx.language)[0]]
    ctx.event("response", key=key, builtin=True, language=ctx.language)
    persona = config.persona or config.name
    return list(system_text(key, ctx.language, ctx.address, persona=persona, shop=config.name))


def answer_entry(engine: Engine, ctx: TurnContext, entry_id: str) -> None:
    """Answer with the FAQ entry ``entry_id``, its follow-ups and the feedback question."""
    from theke.knowledge import feedback_prompt, follow_up_replies

    entry = ctx.bot.knowledge.get(entry_id)
    if entry is None:
        ctx.event("fallback", reason="unknown_entry")
        ctx.say(ctx.bot.config.fallback)
        return
    variants = entry.answer(ctx.language)
    index = variant_index(ctx.conversation_key, ctx.state.turns, len(variants), len(ctx.replies))
    ctx.event("knowledge.answered", entry=entry.id, variant=index, language=ctx.language)
    open_question = runner.waiting(ctx) is not None
    ctx.send(variants[index])
    ctx.answered = True
    if open_question:
        return  # the flow's question follows; no extra question in between
    follow = follow_up_replies(entry, ctx.bot.knowledge, ctx.language)
    if ctx.bot.config.knowledge.feedback:
        prompt = feedback_prompt(entry.id, ctx.language, address=ctx.address)
        ctx.replies.append(prompt)
        ctx.offer(follow)
    elif follow:
        ctx.offer(follow)


def fallback(
    engine: Engine, ctx: TurnContext, parse: Parse | None, text: str, *, guess: bool = True
) -> None:
    """Nothing answered: offer the best guesses; on the second miss in a row, a human; on
    the third (or a frustrated miss), hand over."""
    if handover.frustrated_miss(ctx, text):
        return
    misses = ctx.state.misses + 1
    ctx.set_state(misses=misses)
    limit = ctx.bot.config.handover.misses
    if limit and misses >= limit:
        ctx.event("fallback", reason="handed_over", misses=misses)
        ctx.set_state(stack=(), offer=None)
        ctx.hand_over("misunderstood", say="handoff_misunderstood")
        return
    if misses >= 2:
        ctx.event("fallback", reason="second_miss", misses=misses)
        replies = [("human", HUMAN_PAYLOAD), ("no_thanks", "theke:dismiss")]
        ctx.system("second_miss", replies)
        ctx.set_state(offer="human")
        return
    offered = guesses(engine, ctx, parse, text) if guess else []
    if not offered:
        if guess:
            ctx.event("fallback", reason="nlu_unsure" if parse is not None else "no_match")
        ctx.say(ctx.bot.config.fallback)
        return
    ctx.event("fallback", reason="guess", guesses=[payload for _, payload in offered])
    ctx.system("guess", [*offered, ("something_else", "theke:dismiss")])
    ctx.set_state(offer="guess")


def guesses(
    engine: Engine, ctx: TurnContext, parse: Parse | None, text: str
) -> list[tuple[str, str]]:
    """The two best candidates as (title, payload): flows by intent, and FAQ entries."""
    scored: list[tuple[float, str, str]] = []
    if parse is not None:
        for score in parse.ranking:
            flow = ctx.bot.flows.triggered("intent", score.name)
            if flow is not None and score.confidence >= _GUESS_FLOOR:
                scored.append(
                    (score.confidence, flow.title(ctx.language), f"theke:intent:{score.name}")
                )
    if engine.knowledge is not None:
        for match in engine.faq_search(ctx, text, parse):
            entry = ctx.bot.knowledge.get(match.entry_id)
            floor = ctx.bot.config.knowledge.threshold / 2
            if entry is not None and match.score >= floor:
                scored.append((match.score, entry.title(ctx.language), f"theke:faq:{entry.id}"))
    scored.sort(key=lambda item: -item[0])
    seen: set[str] = set()
    best: list[tuple[str, str]] = []
    for _, title, payload in scored:
        if title not in seen:
            seen.add(title)
            best.append((title[:20], payload))
    return best[:_GUESSES]
