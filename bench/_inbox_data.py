"""The inbox benchmark's data: a big shop's conversations, planned in memory.

``generate`` plans the conversations and their messages; ``bench/inbox.py`` writes them in
bulk. ``entry`` is a message's log entry, ``inbox_row`` the inbox columns
``theke.store.threads.record`` would have written for the same messages (the test replays
a small data set through ``theke.store.log.append`` and compares).

The conversations (``random.Random(seed)``: the same seed gives the same data, its times
counted back from ``end``):

- Channels: web chat 35 %, WhatsApp 35 %, Messenger 20 %, Telegram 10 %; one customer
  each; 8 % write English, the others German.
- Length: one conversation in 400 is long: the first exactly 500 messages, the others
  500 plus an exponential with mean 250 (at most 4,000). The others are log-normal
  (sigma 0.5, 2–200) around the mean the total leaves, then moved by one message here and
  there to the exact total: most have 5–30.
- Turns: the customer writes 1 message (75 %), 2 (20 %) or 3, the answer is 1 (80 %) or 2.
  The bot answers in 1–4 s, an agent in 30 s–20 min; the customer writes again after
  20 s–10 min, or (8 %) 1 h–5 days later.
- Who has it: 5 % were handed to a person right after the customer asked for one and the
  bot said so. Of those, 35 % are assigned to the measuring agent, 25 % to one of two
  colleagues, 40 % to nobody yet (the customer writes up to 3 more messages and waits);
  of the assigned, 70 % end with the customer's message. 4 % were answered by an agent
  and closed 2 min–3 h after the last message. The bot has the rest; 5 % of them end
  with the customer.
- Time: the last message falls within 180 days before ``end``, with a person within 3 days.
- Texts: topics (shipping, sizes, products, returns, payment, vouchers, complaints,
  shops; a new one every 1–5 customer messages) from the banks below, with 400 products
  of ``generate_products``, sizes, colours, order numbers (SC-123456), cities, names and
  voucher codes; the first message often greets. 12 % of customers give their e-mail
  address once; it is in their profile, as the bot keeps it.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from _errors import BenchError

from theke.commerce.generate import generate_products
from theke.content.summary import one_line
from theke.nlu.normalize import fold
from theke.store.log import LogEntry
from theke.store.search import indexed_text
from theke.store.threads import PREVIEW_MAX

__all__ = [
    "LONG",
    "TEAM",
    "Dataset",
    "Message",
    "Thread",
    "entry",
    "generate",
    "inbox_row",
    "search_body",
]

TEAM = ("agent@sohle.example", "kollegin@sohle.example", "kollege@sohle.example")
"""The inbox's people: the first signs in and measures, the others hold conversations."""
LONG = 500
"""The length of the long conversations (and of the first of them, exactly)."""

_CHANNELS = ("webchat", "whatsapp", "messenger", "telegram")
_CHANNEL_SHARES = (0.35, 0.35, 0.20, 0.10)
_ENGLISH, _GIVES_EMAIL = 0.08, 0.12
_LONG_EVERY, _LONG_EXTRA, _LONG_MAX = 400, 250.0, 4000
_SIGMA, _SHORTEST, _LONGEST = 0.5, 2, 200
_HUMAN, _CLOSED, _BOT_ENDS_WITH_CUSTOMER = 0.05, 0.04, 0.05
_TO_AGENT, _TO_COLLEAGUE, _WAITING_LAST = 0.35, 0.25, 0.70
_DAYS, _PERSON_DAYS = 180, 3
_SECOND = 1_000_000  # gaps are whole microseconds


@dataclass(frozen=True, slots=True)
class Message:
    at: datetime
    inbound: bool
    actor: str  # "customer", "bot" or "agent"
    text: str


@dataclass(frozen=True, slots=True)
class Thread:
    """One conversation and its customer, with everything that happened in it."""

    id: str
    customer_id: str
    channel: str
    external_id: str
    language: str
    profile: dict[str, Any]
    messages: tuple[Message, ...]
    handover: int | None  # a person took it over right after this message
    assignee: int | None  # the team member (index in TEAM) who has or had it
    closed_at: datetime | None

    @property
    def mode(self) -> str:
        return "human" if self.handover is not None and self.closed_at is None else "bot"


@dataclass(frozen=True, slots=True)
class Dataset:
    """The conversations and the order of all their messages in the log."""

    threads: tuple[Thread, ...]
    order: tuple[tuple[int, int], ...]  # (thread, message) of event id 1, 2, ...
    seed: int

    def summary(self) -> dict[str, Any]:
        """Counts the report states about the data."""
        threads = self.threads
        human = [t for t in threads if t.mode == "human"]
        return {
            "human": len(human),
            "human_assigned_to_agent": sum(t.assignee == 0 for t in human),
            "human_customer_wrote_last": sum(t.messages[-1].inbound for t in human),
            "closed": sum(t.closed_at is not None for t in threads),
            "long": sum(len(t.messages) >= LONG for t in threads),
            "longest": max(len(t.messages) for t in threads),
            "messages_5_to_30": sum(5 <= len(t.messages) <= 30 for t in threads),
            "english": sum(t.language == "en" for t in threads),
            "gave_email": sum("email" in t.profile for t in threads),
            "channels": {c: sum(t.channel == c for t in threads) for c in _CHANNELS},
        }


def generate(conversations: int, messages: int, seed: int, end: datetime) -> Dataset:
    """``conversations`` with ``messages`` in all, the last of them before ``end``."""
    rng = random.Random(seed)
    words, taken = _Words.of(seed), set[str]()
    threads = tuple(
        _thread(rng, words, n, end, taken) for n in _lengths(rng, conversations, messages)
    )
    timed = sorted(
        (message.at, number, position)
        for number, thread in enumerate(threads)
        for position, message in enumerate(thread.messages)
    )
    return Dataset(threads, tuple((number, position) for _, number, position in timed), seed)


def _lengths(rng: random.Random, conversations: int, messages: int) -> list[int]:
    count = max(1, conversations // _LONG_EVERY)
    extra = [min(_LONG_MAX - LONG, int(rng.expovariate(1 / _LONG_EXTRA))) for _ in range(count)]
    long = [LONG] + [LONG + more for more in extra[1:]]
    rest, others = messages - sum(long), conversations - count
    if rest < _SHORTEST * others or (others == 0 and rest != 0):
        raise BenchError(
            f"{messages:,} messages do not fill {conversations:,} conversations of which "
            f"{count} have {LONG}+ and the others at least {_SHORTEST}: change the counts"
        )
    mu = math.log(max(rest, 1) / max(others, 1)) - _SIGMA**2 / 2
    short = [
        min(_LONGEST, max(_SHORTEST, round(rng.lognormvariate(mu, _SIGMA)))) for _ in range(others)
    ]
    missing = rest - sum(short)
    while missing:
        at, step = rng.randrange(others), 1 if missing > 0 else -1
        if _SHORTEST <= short[at] + step <= _LONGEST:
            short[at] += step
            missing -= step
    lengths = long + short
    rng.shuffle(lengths)
    return lengths


def _thread(
    rng: random.Random, words: _Words, length: int, end: datetime, taken: set[str]
) -> Thread:
    """One conversation (``taken``: the channel addresses already in use, kept up to date)."""
    fate = rng.random()
    handed, closed = fate < _HUMAN + _CLOSED, _HUMAN <= fate < _HUMAN + _CLOSED
    assignee = _assignee(rng, closed=closed) if handed else None
    inbound = _turns(rng, length)
    handover = _handover(rng, inbound, assigned=assignee is not None) if handed else None
    _last_message(rng, inbound, handover, closed=closed)
    actors = [
        "customer" if is_in else "agent" if handover is not None and i > handover else "bot"
        for i, is_in in enumerate(inbound)
    ]
    talk = _Talk.start(rng, words, "en" if rng.random() < _ENGLISH else "de")
    texts = talk.texts(actors, handover)
    times = _times(rng, actors, end, person=handed and not closed, closed=closed)
    channel = rng.choices(_CHANNELS, _CHANNEL_SHARES)[0]
    external_id = _external_id(rng, channel)
    while f"{channel}:{external_id}" in taken:  # phone numbers repeat among 100,000
        external_id = _external_id(rng, channel)
    taken.add(f"{channel}:{external_id}")
    return Thread(
        id=_hex(rng),
        customer_id=_hex(rng),
        channel=channel,
        external_id=external_id,
        language=talk.language,
        profile={"email": talk.email} if talk.gives_email else {},
        messages=tuple(
            Message(at, actor == "customer", actor, said)
            for at, actor, said in zip(times[: len(actors)], actors, texts, strict=True)
        ),
        handover=handover,
        assignee=assignee,
        closed_at=times[-1] if closed else None,
    )


def _assignee(rng: random.Random, *, closed: bool) -> int | None:
    """Who has the conversation: the measuring agent, a colleague or nobody yet (a closed
    one was answered by someone)."""
    draw = rng.random()
    if draw < _TO_AGENT or (closed and draw >= _TO_AGENT + _TO_COLLEAGUE):
        return 0
    return rng.choice((1, 2)) if draw < _TO_AGENT + _TO_COLLEAGUE else None


def _turns(rng: random.Random, length: int) -> list[bool]:
    """Who writes each message (True: the customer), in turns, the customer first."""
    inbound: list[bool] = []
    customer = True
    while len(inbound) < length:
        weights = (0.75, 0.20, 0.05) if customer else (0.8, 0.2, 0.0)
        inbound += [customer] * rng.choices((1, 2, 3), weights)[0]
        customer = not customer
    return inbound[:length]


def _handover(rng: random.Random, inbound: list[bool], *, assigned: bool) -> int:
    """The bot's answer after which a person has the conversation (nobody assigned yet:
    after it the customer writes up to 3 more messages and waits)."""
    if len(inbound) > 1 and all(inbound[1:]):
        inbound[1] = False
    answers = [i for i in range(1, len(inbound)) if not inbound[i] and inbound[i - 1]]
    if not assigned:
        at = rng.choice([i for i in answers if i >= len(inbound) - 4] or answers[-1:])
        inbound[at + 1 :] = [True] * (len(inbound) - at - 1)
        return at
    return rng.choice([i for i in answers if i >= 0.6 * len(inbound)] or answers)


def _last_message(
    rng: random.Random, inbound: list[bool], handover: int | None, *, closed: bool
) -> None:
    """Who wrote last: the customer (waiting), or the shop."""
    last = len(inbound) - 1
    if last == 0 or handover == last:
        return
    if handover is None:
        inbound[last] = rng.random() < _BOT_ENDS_WITH_CUSTOMER
    elif closed:
        inbound[last] = False
    elif not all(inbound[handover + 1 :]):  # someone has answered: assigned
        inbound[last] = rng.random() < _WAITING_LAST


def _times(
    rng: random.Random, actors: Sequence[str], end: datetime, *, person: bool, closed: bool
) -> list[datetime]:
    """When each message was written; closed: then when it was closed."""
    offsets = [0]
    for before, actor in itertools.pairwise(actors):
        offsets.append(offsets[-1] + _gap(rng, before, actor))
    if closed:
        offsets.append(offsets[-1] + round(rng.uniform(120, 3 * 3600) * _SECOND))
    days = _PERSON_DAYS if person else _DAYS
    last = end - timedelta(microseconds=round(rng.uniform(60, days * 86400) * _SECOND))
    return [last - timedelta(microseconds=offsets[-1] - offset) for offset in offsets]


def _gap(rng: random.Random, before: str, actor: str) -> int:
    """Microseconds between two messages."""
    if actor == "customer":
        seconds = rng.uniform(5, 60) if before == "customer" else rng.uniform(20, 600)
        if before != "customer" and rng.random() < 0.08:
            seconds = rng.uniform(3600, 5 * 86400)
    elif actor == "bot":
        seconds = rng.uniform(1, 4)
    else:
        seconds = rng.uniform(10, 60) if before == "agent" else rng.uniform(30, 1200)
    return round(seconds * _SECOND)


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _external_id(rng: random.Random, channel: str) -> str:
    if channel == "whatsapp":
        return f"49{rng.choice(('151', '160', '170', '176', '172'))}{rng.randrange(10**7, 10**8)}"
    if channel == "telegram":
        return str(rng.randrange(10**8, 7 * 10**9))
    if channel == "messenger":
        return str(rng.randrange(10**15, 10**16))
    return f"w-{rng.getrandbits(64):016x}"


# --- what the log and the inbox row hold ------------------------------------------------------


def entry(thread: Thread, message: Message, team: Sequence[str]) -> LogEntry:
    """The log entry of ``message`` (``team``: the user ids of ``TEAM``)."""
    agent = message.actor == "agent" and thread.assignee is not None
    return LogEntry(
        conversation_id=thread.id,
        customer_id=thread.customer_id,
        kind="message.in" if message.inbound else "message.out",
        actor=message.actor,
        created_at=message.at,
        content={"type": "text", "text": message.text},
        data={"user_id": team[thread.assignee or 0]} if agent else None,
    )


def search_body(message: Message) -> str:
    """The folded words ``message_search`` keeps for a message."""
    return indexed_text(one_line({"type": "text", "text": message.text}) or "")


def inbox_row(thread: Thread, team: Sequence[str]) -> dict[str, Any]:
    """The conversation's columns after its messages (``theke.store.threads``, a batch
    each), the hand-over (``conversations.set_mode``) and the closing (``handling.close``)."""
    mode, waiting, closed, preview, count = "bot", None, None, None, 0
    for i, message in enumerate(thread.messages):
        if message.inbound:
            said = one_line({"type": "text", "text": message.text})
            preview = said[:PREVIEW_MAX] if said else preview
            count, closed, waiting = count + 1, None, waiting or message.at
        elif message.actor == "agent" or mode == "bot":
            waiting = None
        if i == thread.handover:
            mode, waiting = "human", waiting or message.at
    assigned = team[thread.assignee] if thread.assignee is not None else None
    if thread.closed_at is not None:
        mode, waiting, closed, assigned = "bot", None, thread.closed_at, None
    inbound = [m.at for m in thread.messages if m.inbound]
    return {
        "mode": mode,
        "assigned_to": assigned,
        "last_message_at": thread.messages[-1].at,
        "last_inbound_at": inbound[-1] if inbound else None,
        "preview": preview,
        "inbound_count": count,
        "waiting_since": waiting,
        "closed_at": closed,
    }


# --- the texts ---------------------------------------------------------------------------------

_FIRST = (
    "Anna", "Lena", "Lukas", "Jonas", "Marie", "Sophie", "Leon", "Paul", "Mia", "Emma", "Felix",
    "Jana", "Tim", "Laura", "Niklas", "Sarah", "Julia", "David", "Katrin", "Jürgen", "Sabine",
    "Thomas", "Stefan", "Petra", "Özlem", "Mehmet", "Aylin", "Björn", "Sören", "Jörg", "Uwe",
    "Heike", "Andrea", "Michael", "Christina", "Fabian", "Hannah", "Lea", "Ben", "Noah", "Elif",
    "Zoe", "Finn", "Maximilian", "Johanna", "Clara", "Moritz", "Tobias", "Nadine", "Anja",
)  # fmt: skip
_LAST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Krause", "Meier", "Lehmann", "Kaya", "Nowak", "Kowalski", "Jansen", "Peters",
    "Vogel", "Friedrich", "Günther", "Keller", "Berger", "Fuchs", "Roth", "Graf", "Sommer",
)  # fmt: skip
_DOMAINS = ("gmx.de", "web.de", "t-online.de", "gmail.com", "posteo.de", "outlook.de",
            "icloud.com", "freenet.de", "yahoo.de", "mail.de")  # fmt: skip
_CITIES = ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf",
           "Leipzig", "Dortmund", "Bremen", "Dresden", "Hannover", "Nürnberg", "Münster",
           "Freiburg", "Wien", "Graz", "Zürich", "Basel", "Kiel")  # fmt: skip
_COLOURS = ("schwarz", "weiß", "grau", "blau", "navy", "rot", "grün", "beige", "pink", "lila",
            "gelb", "orange", "braun", "silber", "khaki", "mint")  # fmt: skip
_CODES = ("SOMMER20", "WELCOME10", "NEWSLETTER15", "BLACKWEEK", "RUN25", "FREUNDE10", "XMAS15")
_AGENTS = ("Jule", "Kai", "Miriam", "Ole")
_TOPICS = ("shipping", "size", "product", "returns", "payment", "voucher", "complaint", "shop")
_TOPIC_SHARES = (0.22, 0.20, 0.18, 0.13, 0.08, 0.06, 0.08, 0.05)

_Lines = dict[str, tuple[str, ...]]  # by language
_GREETING: _Lines = {
    "de": ("Hallo, ", "Hi, ", "Guten Tag, ", "Moin! ", "Hallo zusammen, ", "Servus, "),
    "en": ("Hi, ", "Hello, ", "Hey there, "),
}
_SHORT: _Lines = {
    "de": ("Danke!", "ok", "Alles klar, danke", "Super, danke dir", "Perfekt 👍", "hm okay",
           "Vielen Dank für die schnelle Hilfe", "??", "Und jetzt?", "ja", "nein"),
    "en": ("Thanks!", "ok", "great, thank you", "??", "yes", "no"),
}  # fmt: skip
_EMAIL: _Lines = {
    "de": ("Meine E-Mail ist {email}", "{email}", "Bestellt habe ich mit {email}",
           "Die Bestellung läuft auf {first} {last}, {email}"),
    "en": ("My email is {email}", "{email}", "I ordered with {email}"),
}  # fmt: skip
_ASK_PERSON: _Lines = {
    "de": ("Kann ich bitte mit einem Menschen sprechen?", "Mitarbeiter bitte",
           "Ich möchte mit jemandem aus dem Kundenservice reden",
           "Das hilft mir nicht, bitte einen echten Mitarbeiter"),
    "en": ("Can I talk to a human please?", "agent please"),
}  # fmt: skip
_HANDOVER: _Lines = {
    "de": ("Ich gebe dich an eine Kollegin aus dem Kundenservice weiter. Einen Moment bitte!",
           "Alles klar, ein Mensch aus unserem Team meldet sich gleich."),
    "en": ("I'm handing you over to a colleague from our team. One moment!",),
}  # fmt: skip
_CUSTOMER: dict[str, _Lines] = {
    "de": {
        "shipping": ("Wo bleibt meine Bestellung {order}?", "Wann kommt meine Bestellung {order}?",
                     "Meine Sendung {order} hängt seit {days} Tagen im Paketzentrum",
                     "Wie lange dauert der Versand nach {city}?",
                     "Liefert ihr auch an eine Packstation?",
                     "Kann ich die Lieferadresse noch ändern? Bestellung {order}",
                     "Laut DHL zugestellt, aber hier ist nichts angekommen",
                     "Ist Expressversand möglich? Brauche die Schuhe bis Freitag",
                     "Habt ihr eine Sendungsnummer für {order}?"),
        "size": ("Fällt der {product} eher klein oder groß aus?",
                 "Ich habe normalerweise Größe {size}, welche soll ich beim {product} nehmen?",
                 "Gibt es den {product} auch in {size}?", "Ist der {product} in {size} noch da?",
                 "Ich habe breite Füße, passt der {product} trotzdem?",
                 "Passt {size} wenn ich bei {brand} sonst {size2} trage?",
                 "Wie lang ist die Innensohle in Größe {size}?"),
        "product": ("Ist der {product} wasserdicht?", "Habt ihr den {product} auch in {colour}?",
                    "Welche Sohle hat der {product}?",
                    "Ich suche Laufschuhe für Asphalt, so bis {price} Euro",
                    "Habt ihr was von {brand} für Kinder?",
                    "Ist das Obermaterial Leder oder synthetisch?",
                    "Kann man beim {product} die Einlegesohle rausnehmen?",
                    "Welcher Schuh ist gut bei Plattfüßen?",
                    "Ist der {product} auch für Trailrunning geeignet?",
                    "Was ist der Unterschied zwischen {product} und {product2}?"),
        "returns": ("Ich möchte den {product} zurückschicken", "Wie funktioniert die Retoure?",
                    "Kann ich die Schuhe in {size} umtauschen?",
                    "Wann bekomme ich mein Geld zurück? Das Paket ist seit {days} Tagen bei euch",
                    "Der Schuh ist zu klein, bitte Umtausch in {size}",
                    "Ich habe kein Rücksendeetikett im Paket gefunden",
                    "Muss ich die Rücksendung selbst bezahlen?"),
        "payment": ("Kann ich auf Rechnung zahlen?", "Geht auch PayPal?",
                    "Die Zahlung mit Kreditkarte hat nicht geklappt",
                    "Ich habe doppelt bezahlt, Bestellung {order}",
                    "Klarna lehnt mich ab, was kann ich tun?",
                    "Ich habe eine Mahnung bekommen, aber schon überwiesen"),
        "voucher": ("Mein Gutscheincode {code} funktioniert nicht",
                    "Habt ihr gerade irgendwo Rabatt?", "Gibt es einen Studentenrabatt?",
                    "Kann ich zwei Codes kombinieren?",
                    "Ich habe den Newsletter abonniert, aber keinen Code bekommen"),
        "complaint": ("Die Sohle löst sich nach {weeks} Wochen schon ab",
                      "Der linke Schuh drückt an der Ferse",
                      "Falscher Schuh geliefert, bestellt war {product} in {size}",
                      "Die Naht am {product} ist aufgegangen", "Das ist echt ärgerlich",
                      "Der Karton war kaputt und ein Schuh hat einen Kratzer"),
        "shop": ("Habt ihr eine Filiale in {city}?", "Kann ich in {city} abholen?",
                 "Wie sind eure Öffnungszeiten am Samstag?",
                 "Kann ich den {product} im Laden in {city} anprobieren?"),
    },
    "en": {
        "shipping": ("Where is my order {order}?", "Do you ship to {city}?",
                     "How long does delivery take?"),
        "size": ("Does the {product} run small?", "Is the {product} available in {size}?"),
        "product": ("Is the {product} waterproof?", "Do you have the {product} in black?"),
        "returns": ("How do I return the {product}?", "Can I exchange for size {size}?"),
        "payment": ("Can I pay with PayPal?", "My card payment failed"),
        "voucher": ("My discount code {code} does not work",),
        "complaint": ("The sole came off after {weeks} weeks", "Wrong shoe delivered"),
        "shop": ("Do you have a store in {city}?",),
    },
}  # fmt: skip
_BOT: dict[str, _Lines] = {
    "de": {
        "shipping": ("Deine Bestellung {order} ist unterwegs. Sendungsnummer: {tracking}",
                     "Der Versand dauert 2–3 Werktage, ab 50 € ist er kostenlos.",
                     "Ja, wir liefern auch an Packstationen. Gib einfach die Postnummer an.",
                     "Deine Bestellung {order} wird heute verpackt."),
        "size": ("Der {product} fällt normal aus, nimm deine übliche Größe {size}.",
                 "Den {product} haben wir in {size} noch {stock} Mal auf Lager.",
                 "Leider ist der {product} in {size} ausverkauft. Soll ich dir Bescheid geben, "
                 "wenn er wieder da ist?"),
        "product": ("Hier sind ein paar Vorschläge: {product}, {product2}",
                    "Der {product} hat ein Obermaterial aus Mesh und eine griffige Gummisohle.",
                    "Den {product} gibt es in {colour} und schwarz."),
        "returns": ("Du kannst innerhalb von 30 Tagen kostenlos zurückschicken. Das Etikett "
                    "findest du in deinem Kundenkonto.",
                    "Sobald die Rücksendung bei uns ist, erstatten wir den Betrag in 3–5 Tagen."),
        "payment": ("Wir akzeptieren PayPal, Kreditkarte, Klarna und Kauf auf Rechnung.",
                    "Bei Zahlungsproblemen hilft meist ein neuer Versuch mit PayPal."),
        "voucher": ("Der Code {code} gilt nur für Artikel ohne Rabatt.",
                    "Pro Bestellung lässt sich ein Code einlösen."),
        "complaint": ("Das tut mir leid! Schick uns bitte ein Foto, dann kümmern wir uns darum.",),
        "shop": ("Unsere Läden findest du in Berlin, Hamburg und München, Mo–Sa 10–20 Uhr.",),
    },
    "en": {
        "shipping": ("Your order {order} is on its way: {tracking}",),
        "size": ("The {product} fits true to size.",),
        "product": ("Here are some ideas: {product}, {product2}",),
        "returns": ("You can return within 30 days for free.",),
        "payment": ("We accept PayPal, credit card and Klarna.",),
        "voucher": ("The code {code} only works on full-price items.",),
        "complaint": ("Sorry about that! Please send us a photo.",),
        "shop": ("Our stores are in Berlin, Hamburg and Munich.",),
    },
}  # fmt: skip
_FALLBACK = {"de": "Das habe ich leider nicht verstanden. Geht es um Versand, Rückgabe oder "
                   "Größen?", "en": "Sorry, I didn't get that."}  # fmt: skip
_AGENT: _Lines = {
    "de": ("Hallo {first}, hier ist {agent} vom Kundenservice. Ich schaue mir das gleich an.",
           "Ich habe dir ein neues Retourenlabel an {email} geschickt.",
           "Die Erstattung für {order} ist veranlasst, das Geld ist in 3–5 Tagen bei dir.",
           "Tut mir leid für den Ärger! Wir schicken dir kostenlos Ersatz in {size}.",
           "Kannst du mir bitte ein Foto von der Sohle schicken?",
           "Ich habe die Lieferadresse für {order} geändert.",
           "Der {product} kommt nächste Woche wieder rein, ich lege dir einen zurück.",
           "Gern geschehen, schönen Tag noch!", "Einen Moment, ich frage beim Lager nach."),
    "en": ("Hi {first}, this is {agent} from customer service.",
           "I've sent you a new return label.", "You're welcome, have a nice day!"),
}  # fmt: skip
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class _Words:
    """What the texts name: products of the generated catalog and their brands."""

    products: tuple[str, ...]
    brands: tuple[str, ...]

    @classmethod
    def of(cls, seed: int) -> _Words:
        products = generate_products(400, seed)
        return cls(
            tuple(f"{p.brand} {p.name}" if p.brand else p.name for p in products),
            tuple(sorted({p.brand for p in products if p.brand})),
        )


def _size(rng: random.Random) -> str:
    size = rng.randint(36, 47)
    return f"{size},5" if rng.random() < 0.2 else str(size)


@dataclass(slots=True)
class _Talk:
    """One customer's side of the texts: who they are, what they talk about now."""

    rng: random.Random
    words: _Words
    language: str
    fixed: dict[str, str]  # slots that stay the same through the conversation
    gives_email: bool
    topic: str = "shipping"
    left: int = 0  # customer messages until the next topic
    draws: dict[str, Callable[[], str]] = field(default_factory=dict)

    @classmethod
    def start(cls, rng: random.Random, words: _Words, language: str) -> _Talk:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        local = fold(f"{first}.{last}").encode("ascii", "ignore").decode()
        number = str(rng.randint(1, 99)) if rng.random() < 0.6 else ""
        fixed = {
            "first": first, "last": last,
            "email": f"{local}{number}@{rng.choice(_DOMAINS)}",
            "order": f"SC-{rng.randint(100000, 999999)}", "product": rng.choice(words.products),
            "size": _size(rng), "city": rng.choice(_CITIES), "agent": rng.choice(_AGENTS),
            "brand": rng.choice(words.brands),
        }  # fmt: skip
        talk = cls(rng, words, language, fixed, rng.random() < _GIVES_EMAIL)
        talk.draws = {
            "product2": lambda: rng.choice(words.products), "size2": lambda: _size(rng),
            "colour": lambda: rng.choice(_COLOURS), "code": lambda: rng.choice(_CODES),
            "days": lambda: str(rng.randint(2, 14)), "weeks": lambda: str(rng.randint(2, 10)),
            "price": lambda: str(rng.choice((80, 100, 120, 150))),
            "stock": lambda: str(rng.randint(1, 9)),
            "tracking": lambda: f"00340434{rng.randrange(10**11, 10**12)}",
        }  # fmt: skip
        return talk

    @property
    def email(self) -> str:
        return self.fixed["email"]

    def texts(self, actors: Sequence[str], handover: int | None) -> list[str]:
        """A text for each message of ``actors``."""
        rng, lang = self.rng, self.language
        asks = handover - 1 if handover is not None and actors[handover - 1] == "customer" else -1
        customer_at = [i for i, actor in enumerate(actors) if actor == "customer" and i != asks]
        email_at = rng.choice(customer_at[1:]) if self.gives_email and customer_at[1:] else -1
        said = []
        for i, actor in enumerate(actors):
            if i == asks:
                said.append(rng.choice(_ASK_PERSON[lang]))
            elif i == handover:
                said.append(rng.choice(_HANDOVER[lang]))
            elif i == email_at:
                said.append(self._fill(rng.choice(_EMAIL[lang])))
            elif actor == "customer":
                said.append(self._customer(first=i == 0))
            else:
                said.append(self._answer(actor))
        return said

    def _customer(self, *, first: bool) -> str:
        rng = self.rng
        if self.left <= 0:
            self.topic = rng.choices(_TOPICS, _TOPIC_SHARES)[0]
            self.left = rng.randint(1, 5)
        self.left -= 1
        if not first and rng.random() < 0.1:
            return rng.choice(_SHORT[self.language])
        said = self._fill(rng.choice(_CUSTOMER[self.language][self.topic]))
        if first and rng.random() < 0.45:
            said = rng.choice(_GREETING[self.language]) + said[0].lower() + said[1:]
        return said

    def _answer(self, actor: str) -> str:
        rng, lang = self.rng, self.language
        if actor == "agent":
            return self._fill(rng.choice(_AGENT[lang]))
        if rng.random() < 0.05:
            return _FALLBACK[lang]
        return self._fill(rng.choice(_BOT[lang][self.topic]))

    def _fill(self, template: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            return self.fixed.get(name) or self.draws[name]()

        return _SLOT.sub(value, template)
