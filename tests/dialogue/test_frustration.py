"""Frustrated customers are recognised; ordinary shop questions, with typos and slang, are not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.dialogue.frustration import Frustration, frustration

ORDINARY = [
    # German: sizes, shipping, returns, payment, opening hours; typos and slang
    "Ist der Schuh wasserdicht?",
    "Kann ich das zurückschicken?",
    "Mist, falsche Größe bestellt",
    "Hab nen Schuh in 43 bestellt, kann ich umtauschen?",
    "Wie lange dauert der Versand nach Österreich?",
    "was kostet versand",
    "Habt ihr den auch in XXL?",
    "Wann habt ihr offen?",
    "Habt ihr am Samstag geöffnet?",
    "Kann ich mit PayPal zahlen?",
    "Kann ich auf Rechnung bestellen?",
    "fällt der bissl größer aus?",
    "digga wie teuer is der",
    "Gibts Rabatt für Studenten?",
    "Wo ist meine Bestellung SC-123456?",
    "Hallo, wo ist SC-123456 mit DHL?",
    "Wann kommt mein Paket, DHL sagt noch nix",
    "Passt 42 oder lieber 43?",
    "Ich will mein Geld zurück",
    "Der Gutschein funktioniert nicht",
    "Meine Bestellung ist noch nicht da, könnt ihr nachschauen?",
    "Sind die Sneaker vegan?",
    "Gibt's die in hellblau?",
    "Ist die Farbe eher hell oder dunkel?",
    "Kann ich im Laden in Berlin abholen?",
    "Wie funktioniert der Umtausch?",
    "Reicht es, wenn ich morgen bestelle?",
    "Was soll das kosten?",
    "Ich hab keine Ahnung welche Größe ich brauche",
    "Sorry, ich meinte Größe 44",
    "Alter, die sind ja schick",
    "Ist die Bedienung der App idiotensicher?",
    "Die Schuhe sind echt der Hammer, danke!",
    "ok passt, dann nehm ich die schwarzen",
    "Kannst du mir nen Link zur Rücksendung schicken?",
    "Versand nach CH möglich? EU 43 wär gut",
    "Ich hätte gern die Rücksendeadresse.",
    "Echt?! Cool, dann bestell ich",
    "Wirklich??",
    # English
    "Do you ship to the UK?",
    "What sizes do you have?",
    "Can I return these if they don't fit?",
    "How long does shipping take?",
    "Is this shoe waterproof?",
    "Can I pay with Apple Pay?",
    "When are you open on Saturday?",
    "I'd like a refund please",
    "I want my money back",
    "do u have these in size 10",
    "Damn, these look nice",
    "Thanks, that helps!",
    "I don't understand the size chart",
    "How many times can I exchange an item?",
    "No help needed, thanks",
    "What's your return policy?",
    "Is there a discount code?",
    "Sorry, I made a mistake with my address",
]

FRUSTRATED = [
    ("Das ist doch lächerlich!", "das ist doch lächerlich"),
    ("lacherlich echt", "lächerlich"),
    ("Verstehst du mich nicht?", "verstehst du mich nicht"),
    ("Du verstehst gar nichts", "du verstehst gar nichts"),
    ("Bist du blöd oder was", "bist du blöd"),
    ("bist du blod", "bist du blöd"),
    ("So ein Mist", "so ein mist"),
    ("Scheiße, schon wieder falsch", "scheiße"),
    ("scheise", "scheiße"),
    ("scheiiiisse", "scheiße"),
    ("so ein scheißladen", "scheiß"),
    ("sch*** service", "sch*"),
    ("Das nervt", "nervt"),
    ("bin echt genervt", "genervt"),
    ("Unverschämt, wie ihr mit Kunden umgeht", "unverschämt"),
    ("Das ist eine Frechheit", "frechheit"),
    ("Zum Kotzen mit euch", "zum kotzen"),
    ("Das bringt doch nichts hier", "bringt doch nichts"),
    ("sinnlos", "sinnlos"),
    ("Nutzloser Bot", "nutzloser bot"),
    ("ich hab die Schnauze voll", "schnauze voll"),
    ("Wollt ihr mich verarschen", "verarsch"),
    ("wie oft denn noch", "wie oft denn noch"),
    ("Ihr seid echt unfähig", "unfähig"),
    ("Abzocke!", "abzocke"),
    ("mir reichts jetzt", "mir reichts"),
    ("This is ridiculous", "this is ridiculous"),
    ("You don't understand", "you dont understand"),
    ("you dont get it", "you dont get it"),
    ("useless bot", "useless bot"),
    ("wtf", "wtf"),
    ("What the hell is going on", "what the hell"),
    ("are you stupid", "are you stupid"),
    ("worst service ever", "worst service"),
    ("I'm fed up with this", "fed up"),
    ("this is a joke", "this is a joke"),
    ("f*ck this", "f*ck"),
    ("Are you kidding me", "are you kidding me"),
    ("Unacceptable.", "unacceptable"),
    ("what a waste of time", "waste of time"),
    ("I already told you my size", "i already told you"),
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_shop_messages_are_not_frustration(text: str) -> None:
    assert frustration(text) is None


@pytest.mark.parametrize(("text", "phrase"), FRUSTRATED)
def test_frustrated_messages_name_their_phrase(text: str, phrase: str) -> None:
    assert frustration(text) == Frustration("phrase", phrase)


def test_the_lists_are_long_enough_to_mean_something() -> None:
    assert len(ORDINARY) >= 40
    assert len(FRUSTRATED) >= 30


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("WO IST MEINE BESTELLUNG", "IST MEINE BESTELLUNG"),
        ("ICH WARTE SEIT 2 WOCHEN AUF SC-123456", "ICH WARTE SEIT WOCHEN AUF"),
        ("GRÖßE 43 BITTE SOFORT", "GRÖßE BITTE SOFORT"),
        ("Hallo WARUM ANTWORTET KEINER", "WARUM ANTWORTET KEINER"),
    ],
)
def test_capitals_are_shouting(text: str, words: str) -> None:
    assert frustration(text) == Frustration("shouting", words)


@pytest.mark.parametrize(
    "text",
    [
        "Hallo, wo ist SC-123456 mit DHL?",
        "DHL UPS DPD GLS XXL",
        "EU 43 oder EU 44",
        "Sneaker in XXL, EU 46, SC-000042",
        "BITTE",
        "OK DANKE",
        "Wo ist mein Paket DHL UPS DPD GLS",
        "Habt ihr NIKE AIR in 43, wenn möglich in schwarz oder weiß?",
    ],
)
def test_codes_acronyms_and_a_capital_word_are_not_shouting(text: str) -> None:
    assert frustration(text) is None


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("Hallo???", "???"),
        ("Echt?!?!", "?!?!"),
        ("Wie bitte??!!", "??!!"),
        ("Wo bleibt mein Paket!!!", "!!!"),
        ("Und jetzt?!?", "?!?"),
    ],
)
def test_runs_of_question_and_exclamation_marks(text: str, run: str) -> None:
    assert frustration(text) == Frustration("punctuation", run)


def test_a_phrase_is_the_reason_before_capitals_and_marks() -> None:
    assert frustration("DAS IST DOCH LÄCHERLICH!!!") == Frustration(
        "phrase", "das ist doch lächerlich"
    )
    assert frustration("WO BLEIBT MEINE BESTELLUNG???") == Frustration(
        "shouting", "BLEIBT MEINE BESTELLUNG"
    )


def test_evidence_stays_short_for_a_huge_message() -> None:
    found = frustration("?" * 10_000)
    assert found is not None
    assert found.evidence == "?" * 80


def test_only_the_start_of_a_pasted_essay_is_searched_for_phrases() -> None:
    essay = "Ich habe eine Frage zu meiner Bestellung. " * 60
    assert frustration(essay + "lächerlich") is None
    assert frustration("lächerlich " + essay) == Frustration("phrase", "lächerlich")


_padding = st.text(alphabet=" \t\n\u00a0\u3000", max_size=5)


@given(st.text(max_size=10_000))
def test_never_raises(text: str) -> None:
    result = frustration(text)
    assert result is None or result.evidence


@given(st.text(max_size=300), _padding, _padding)
def test_surrounding_whitespace_changes_nothing(text: str, before: str, after: str) -> None:
    assert frustration(before + text + after) == frustration(text)


@given(st.text(max_size=300))
def test_lower_case_text_is_never_shouting(text: str) -> None:
    result = frustration(text.lower())
    assert result is None or result.reason != "shouting"


@given(st.text(st.characters(blacklist_characters="?!"), max_size=300))
def test_no_question_or_exclamation_mark_no_punctuation(text: str) -> None:
    result = frustration(text)
    assert result is None or result.reason != "punctuation"


@given(st.sampled_from([phrase for _, phrase in FRUSTRATED]), st.sampled_from(ORDINARY))
def test_a_phrase_is_found_inside_an_ordinary_message(phrase: str, message: str) -> None:
    found = frustration(f"{message} {phrase.replace('*', '***')}")
    assert found is not None
    assert found.reason == "phrase"
