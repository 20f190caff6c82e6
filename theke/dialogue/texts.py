"""What the engine says on its own: cancel, go back, re-ask, disambiguate, resume, hand over.

Each text exists in German with ``du`` and with ``Sie`` and in English; other
languages get the English text. An owner replaces one by defining a response
of the same key in ``responses/<lang>.yml`` (``cancelled:``, ``handoff:``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from theke.commerce.texts import SHOP_LABELS, SHOP_TEXTS, pick_form
from theke.content import Content, QuickReplies, QuickReply, Text

__all__ = [
    "CONTROL_WORDS",
    "HUMAN_PAYLOAD",
    "SYSTEM_KEYS",
    "label",
    "plain_text",
    "system_text",
]

HUMAN_PAYLOAD = "theke:human"

# key → (German du, German Sie, English)
_CORE_TEXTS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "intro": (
            "Hi, ich bin {persona}, der Chatbot von {shop}: Ich antworte automatisch und rund "
            "um die Uhr und hole jemanden aus dem Team dazu, wenn ich nicht weiterweiß.",
            "Guten Tag, ich bin {persona}, der Chatbot von {shop}: Ich antworte automatisch und "
            "rund um die Uhr und hole jemanden aus dem Team dazu, wenn ich nicht weiterweiß.",
            "Hi, I'm {persona}, the chatbot of {shop}: I answer automatically, around the clock, "
            "and bring in someone from the team when I'm stuck.",
        ),
        "intro_again": (
            "Hier ist wieder {persona}, der Chatbot. Schreib mir, wenn du noch etwas brauchst.",
            "Hier ist wieder {persona}, der Chatbot. Schreiben Sie mir, wenn Sie noch etwas "
            "brauchen.",
            "{persona} the chatbot here again. Write to me if you need anything else.",
        ),
        "cancelled": (
            "Okay, ich habe abgebrochen. Wobei kann ich dir sonst helfen?",
            "Okay, ich habe abgebrochen. Wobei kann ich Ihnen sonst helfen?",
            "Okay, I've stopped that. What else can I do for you?",
        ),
        "back_at_start": (
            "Wir sind schon bei der ersten Frage.",
            "Wir sind schon bei der ersten Frage.",
            "We're already at the first question.",
        ),
        "invalid_choice": (
            "Bitte such dir eine der Möglichkeiten aus.",
            "Bitte wählen Sie eine der Möglichkeiten.",
            "Please pick one of the options.",
        ),
        "invalid_range": (
            "Das liegt leider außerhalb dessen, was hier geht.",
            "Das liegt leider außerhalb dessen, was hier geht.",
            "That's outside what's possible here, I'm afraid.",
        ),
        "invalid_value": (
            "Das habe ich nicht als Antwort auf meine Frage verstanden.",
            "Das habe ich nicht als Antwort auf meine Frage verstanden.",
            "I didn't get that as an answer to my question.",
        ),
        "back_to_question": (
            "Zurück zu meiner Frage:",
            "Zurück zu meiner Frage:",
            "Back to my question:",
        ),
        "slot_changed": ("Alles klar: {value}.", "Alles klar: {value}.", "Got it: {value}."),
        "gave_up": (
            "Da komme ich gerade nicht weiter. Soll ich dich mit jemandem aus unserem Team "
            "verbinden?",
            "Da komme ich gerade nicht weiter. Soll ich Sie mit jemandem aus unserem Team "
            "verbinden?",
            "I'm stuck here. Shall I connect you with someone from our team?",
        ),
        "guess": (
            "Ich bin mir nicht sicher, ob ich dich richtig verstehe. Meinst du eins davon?",
            "Ich bin mir nicht sicher, ob ich Sie richtig verstehe. Meinen Sie eins davon?",
            "I'm not sure I understand. Do you mean one of these?",
        ),
        "media_received": (
            "Danke! Bilder, Sprachnachrichten und Dateien kann ich selbst leider nicht ansehen. "
            "Schreib mir kurz, worum es geht – oder frag nach jemandem aus dem Team.",
            "Vielen Dank! Bilder, Sprachnachrichten und Dateien kann ich selbst leider nicht "
            "ansehen. Schreiben Sie mir kurz, worum es geht – oder fragen Sie nach jemandem aus "
            "dem Team.",
            "Thanks! I can't look at pictures, voice messages or files myself. Tell me in a few "
            "words what it's about, or ask for someone from the team.",
        ),
        "unreadable": (
            "Das kann ich hier leider nicht lesen. Schreib mir einfach, worum es geht.",
            "Das kann ich hier leider nicht lesen. Schreiben Sie mir einfach, worum es geht.",
            "I can't read that here, I'm afraid. Just write to me what it's about.",
        ),
        "second_miss": (
            "Das verstehe ich leider immer noch nicht. Soll ich dich mit einem Menschen aus "
            "unserem Team verbinden?",
            "Das verstehe ich leider immer noch nicht. Soll ich Sie mit einem Menschen aus "
            "unserem Team verbinden?",
            "I still don't understand, sorry. Shall I connect you with a person from our team?",
        ),
        "handoff_frustrated": (
            "Das tut mir leid. Ich hole jemanden aus unserem Team dazu, der sich hier im Chat "
            "bei dir meldet.",
            "Das tut mir leid. Ich hole jemanden aus unserem Team dazu, der sich hier im Chat "
            "bei Ihnen meldet.",
            "I'm sorry about that. I'm bringing in someone from our team, who will reply to you "
            "here in the chat.",
        ),
        "handoff_misunderstood": (
            "Ich verstehe dich leider nicht richtig. Ich gebe dein Anliegen an unser Team "
            "weiter; jemand meldet sich hier im Chat bei dir.",
            "Ich verstehe Sie leider nicht richtig. Ich gebe Ihr Anliegen an unser Team "
            "weiter; jemand meldet sich hier im Chat bei Ihnen.",
            "I'm not understanding you properly, sorry. I'm passing this on to our team; "
            "someone will reply to you here in the chat.",
        ),
        "closed_handoff": (
            "Unser Team ist gerade nicht da und meldet sich {when} hier im Chat bei dir.",
            "Unser Team ist gerade nicht da und meldet sich {when} hier im Chat bei Ihnen.",
            "Our team isn't in right now and will reply to you here in the chat {when}.",
        ),
        "closed_ask_contact": (
            "Unser Team ist gerade nicht da und meldet sich {when}. Wenn wir dich auch per "
            "E-Mail oder Telefon erreichen sollen, schreib die Adresse oder Nummer einfach "
            "hier in den Chat.",
            "Unser Team ist gerade nicht da und meldet sich {when}. Wenn wir Sie auch per "
            "E-Mail oder Telefon erreichen sollen, schreiben Sie die Adresse oder Nummer "
            "einfach hier in den Chat.",
            "Our team isn't in right now and will get back to you {when}. If we should also "
            "reach you by e-mail or phone, just write the address or number here.",
        ),
        "handoff": (
            "Ich gebe dein Anliegen an unser Team weiter. Jemand meldet sich hier im Chat bei dir.",
            "Ich gebe Ihr Anliegen an unser Team weiter. Jemand meldet sich hier im Chat bei "
            "Ihnen.",
            "I'm passing this on to our team. Someone will reply to you here in the chat.",
        ),
        "resume": (
            "Schön, dass du wieder da bist! Wollen wir bei „{flow}“ weitermachen?",
            "Schön, dass Sie wieder da sind! Wollen wir bei „{flow}“ weitermachen?",
            "Good to have you back! Shall we carry on with “{flow}”?",
        ),
        "reminder": (
            "Bist du noch da? Wir waren bei „{flow}“. Schreib mir einfach, wenn du weitermachen "
            "willst.",
            "Sind Sie noch da? Wir waren bei „{flow}“. Schreiben Sie mir einfach, wenn Sie "
            "weitermachen möchten.",
            "Still there? We were in the middle of “{flow}”. Just write when you want to go on.",
        ),
        "welcome_back": (
            "Schön, dich wiederzusehen, {name}!",
            "Schön, Sie wiederzusehen, {name}!",
            "Good to see you again, {name}!",
        ),
        "feedback_thanks": (
            "Danke für dein Feedback! 🙏",
            "Danke für Ihr Feedback! 🙏",
            "Thanks for your feedback! 🙏",
        ),
        "feedback_sorry": (
            "Danke, dass du es sagst. Soll ich dich mit jemandem aus dem Team verbinden?",
            "Danke für den Hinweis. Soll ich Sie mit jemandem aus dem Team verbinden?",
            "Thanks for telling me. Shall I connect you with someone from the team?",
        ),
        "action_failed": (
            "Da ist bei mir gerade etwas schiefgegangen. Versuch es bitte gleich noch einmal.",
            "Da ist bei mir gerade etwas schiefgegangen. Bitte versuchen Sie es gleich noch "
            "einmal.",
            "Something went wrong on my side. Please try again in a moment.",
        ),
        "dismissed": (
            "Alles klar. Wobei kann ich dir helfen?",
            "Alles klar. Wobei kann ich Ihnen helfen?",
            "Alright. How can I help?",
        ),
    }
)

_TEXTS = MappingProxyType({**_CORE_TEXTS, **SHOP_TEXTS})
SYSTEM_KEYS = frozenset(_TEXTS)

_LABELS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        **SHOP_LABELS,
        "human": ("Mit Mensch sprechen", "Mit Mensch sprechen", "Talk to a person"),
        "no_thanks": ("Nein, danke", "Nein, danke", "No, thanks"),
        "resume": ("Weitermachen", "Weitermachen", "Carry on"),
        "something_else": ("Etwas anderes", "Etwas anderes", "Something else"),
        "share_phone": ("📱 Meine Nummer senden", "📱 Meine Nummer senden", "📱 Send my number"),
    }
)

CONTROL_WORDS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "cancel": {
            "de": ("abbrechen", "abbruch", "stop", "stopp", "vergiss es", "lass gut sein",
                   "egal lass mal", "doch nicht"),
            "en": ("cancel", "stop", "never mind", "nevermind", "forget it", "quit"),
        },
        "back": {
            "de": ("zurück", "einen schritt zurück", "vorherige frage", "nochmal zurück"),
            "en": ("back", "go back", "previous question", "undo"),
        },
        "skip": {
            "de": ("egal", "ist mir egal", "is mir egal", "mir egal", "egal was", "völlig egal",
                   "beliebig", "keine präferenz", "überspringen", "weiß nicht", "weiß nich",
                   "keine ahnung", "kp", "alle", "nicht wichtig", "spielt keine rolle"),
            "en": ("any", "anything", "doesn't matter", "doesnt matter", "does not matter",
                   "no preference", "skip", "whatever", "don't know", "dont know", "don't care",
                   "dont care", "all", "not sure"),
        },
    }
)  # fmt: skip
"""Words that steer a running flow, per language; they are matched as the whole message."""


def system_text(
    key: str, language: str, address: str, replies: Sequence[tuple[str, str]] = (), **values: str
) -> tuple[Content, ...]:
    """The engine's text ``key`` in the customer's language, with quick replies.

    ``replies`` are (label key or literal title, payload) pairs; a label key is
    one of the built-in button labels (``human``, ``no_thanks``, ...).
    """
    text = pick_form(_TEXTS[key], language, address).format(**values)
    if not replies:
        return (Text(text=text),)
    buttons = tuple(
        QuickReply(title=_label(title, language, address)[:20], payload=payload)
        for title, payload in replies
    )
    return (QuickReplies(text=text, replies=buttons),)


def plain_text(key: str, language: str, address: str, **values: str) -> str:
    """The engine's text ``key`` as a string, for a message it builds around it."""
    return pick_form(_TEXTS[key], language, address).format(**values)


def label(title: str, language: str, address: str) -> str:
    """A button label of the engine's own (``share_phone``, ``human``, ...) for the customer."""
    return _label(title, language, address)


def _label(title: str, language: str, address: str) -> str:
    forms = _LABELS.get(title)
    return pick_form(forms, language, address) if forms else title
