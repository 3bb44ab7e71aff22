"""More classes of how callers speak: numbers said again whole after a correction, letters
spelled with their names after a name, hints with counts, and replies that hold no name.

Each case is written here in its own words, not copied from the benchmark corpus.
"""

from __future__ import annotations

import pytest

from contacts.normalize import (
    NormalizationError,
    normalize_email,
    normalize_name,
    normalize_phone,
)

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

REGIONS = {"en": "US", "es": "ES", "fr": "FR", "de": "DE"}

# fmt: off
PHONES = [
    # The whole number said again, in the same groups, after the correction.
    ("es", "el 622 481 905 no espera el 622 481 950", "+34622481950", True),
    ("fr", "06 12 34 56 78 non pardon 06 12 34 56 87", "+33612345687", True),
    ("fr", "le 02 40 non c'est le 06 11 22 33 44", "+33611223344", True),
    # Appended, the correction would also make a valid German number: a doubt.
    ("de", "null acht neun, eins zwei drei, ich meine null vier null, sieben sieben zwei, "
           "fünf vier drei eins", "+49407725431", False),
    # "seventy five" is 75, or 70 then 5: only the second makes a number.
    ("en", "seven seventy five five five two one ninety", "+17705552190", False),
    # Seseo: "sinco" is how a recogniser writes "cinco" said with an s.
    ("es", "seis uno sinco, cuatro cuatro dos, uno uno ocho", "+34615442118", False),
]
# fmt: on


@pytest.mark.parametrize(("language", "text", "expected", "certain"), PHONES)
def test_phone(language: str, text: str, expected: str, certain: bool) -> None:
    result = normalize_phone(text, region=REGIONS[language], language=language)
    assert result.value == expected
    assert result.certain is certain, result.doubts


# fmt: off
NAMES = [
    # Spanish letter names after the name spell it, "X de <word>" included: they go.
    ("es", "me llamo rocío ramos ere a eme o ese", "Rocío Ramos"),
    ("es", "soy tomás ortega o ere te e ge a", "Tomás Ortega"),
    ("es", "muñoz eme u eñe o zeta", "Muñoz"),
    ("es", "mi apellido es vidal uve de valencia i de a ele", "Vidal"),
    # The accent the recogniser lost, named by the caller, is put back.
    ("es", "raul con acento en la u", "Raúl"),
    ("es", "lucia con tilde en la i", "Lucía"),
    # Hints with a count, a plural letter, "and", or "without".
    ("en", "matthew with two ts", "Matthew"),
    ("en", "phillip with two ls and one p", "Phillip"),
    ("en", "ann without an e", "Ann"),
    ("fr", "isabelle avec deux l", "Isabelle"),
    ("fr", "mannon il y a deux n", "Mannon"),
    ("de", "schmid ohne t", "Schmid"),
    ("de", "philippa mit zwei p", "Philippa"),
    ("de", "matthias mit t h und zwei t", "Matthias"),
    # Surname said first, then the first name: written first name first.
    ("en", "my surname is okoro and my first name is chidi", "Chidi Okoro"),
    ("es", "mi apellido es soto y mi nombre es elena", "Elena Soto"),
    ("fr", "mon nom de famille c'est roux et mon prénom c'est claire", "Claire Roux"),
    ("de", "mein nachname ist vogel und mein vorname ist jonas", "Jonas Vogel"),
    ("en", "the name's bond", "Bond"),
    # One letter spelled with a word after a name that starts with it confirms the name.
    ("es", "gil ge de granada", "Gil"),
    # Accents named among spelled letters, or with words for the mark.
    ("fr", "chloé c h l o e accent aigu", "Chloé"),
    ("fr", "hélène h e accent grave l e accent grave n e", "Hélène"),
    ("de", "müller m u umlaut l l e r", "Müller"),
    ("de", "weiß mit scharfem s", "Weiß"),
    ("en", "zoe with two dots over the e", "Zoë"),
    # "Put it as …": an instruction before the name goes.
    ("en", "just put john", "John"),
    ("es", "pon juan nada más", "Juan"),
    ("fr", "mettez juste paul", "Paul"),
    ("de", "schreiben sie einfach paul", "Paul"),
    # Particles are no sentence: the name is kept.
    ("es", "maría de la o", "María de la O"),
]
NO_NAMES = [
    # Declining: a negation near a verb of giving, in a reply about the name.
    ("en", "i'm not giving you my name"),
    ("es", "prefiero no dar mi nombre"),
    ("fr", "je ne vais pas vous donner mon nom"),
    ("de", "den namen gebe ich nicht"),
    # Asking back, not having heard, not knowing.
    ("en", "sorry could you say that again"),
    ("es", "perdone, no le he entendido"),
    ("es", "no lo sé"),
    ("fr", "vous pouvez répéter la question"),
    ("fr", "je sais pas"),
    ("de", "können sie das nochmal wiederholen"),
    ("de", "keine ahnung"),
    # Only function words or interjections are left: no name in them.
    ("es", "te"),
    ("es", "mande"),
    ("fr", "c'est moi"),
    ("de", "hä"),
    ("en", "huh"),
    # Asking to wait; declining without a verb; a question opened by its verb.
    ("en", "one moment"),
    ("es", "un momento"),
    ("fr", "un instant"),
    ("de", "einen moment"),
    ("es", "mejor no"),
    ("en", "that's private"),
    ("en", "do you really need that"),
    ("de", "brauchen sie das wirklich"),
    # Half of it words of a sentence: a sentence, not a name.
    ("en", "you already have it"),
    ("es", "ya se lo dije"),
    ("fr", "je vous le dirai plus tard"),
    ("de", "das haben sie schon"),
    # Mostly number words: a phone number given in the wrong place.
    ("es", "es el seis uno dos, tres cuatro cinco"),
    ("fr", "c'est le zéro sept douze trente-quatre"),
]
EMAILS = [
    ("es", "jota a ve i e ere arroba gmail punto com", "javier@gmail.com"),
    ("es", "eme de málaga a ere te a arroba hotmail punto es", "marta@hotmail.es"),
    ("es", "anota raquel punto soto arroba gmail puntocom", "raquel.soto@gmail.com"),
    ("es", "rut sin hache arroba gmail punto com", "rut@gmail.com"),
    ("en", "it's katherine with a k at gmail dot com", "katherine@gmail.com"),
    ("en", "ellie with two ls at gmail dot com", "ellie@gmail.com"),
    ("en", "tom dot reed at gmail dot com actually make that tom dot reed at yahoo dot com",
     "tom.reed@yahoo.com"),
    ("en", "anna at outlook dotcom that's the one", "anna@outlook.com"),
    ("fr", "c'est anne avec deux n arobase free point fr d'accord", "anne@free.fr"),
    ("fr", "luc point martin arobase gmail pointcom", "luc.martin@gmail.com"),
    ("de", "jan at web punkt de nee jan at gmx punkt de", "jan@gmx.de"),
    ("de", "die private ist tom punkt berg at web punkt de", "tom.berg@web.de"),
    ("de", "marc mit c at web punkt de genau", "marc@web.de"),
    ("es", "hache o ele a arroba telefonica punto net", "hola@telefonica.net"),
]
# fmt: on


@pytest.mark.parametrize(("language", "text", "expected"), NAMES)
def test_name(language: str, text: str, expected: str) -> None:
    result = normalize_name(text, language=language)
    assert result.value == expected
    assert result.certain, result.doubts


@pytest.mark.parametrize(("language", "text"), NO_NAMES)
def test_no_name(language: str, text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_name(text, language=language)


@pytest.mark.parametrize(("language", "text", "expected"), EMAILS)
def test_email(language: str, text: str, expected: str) -> None:
    assert normalize_email(text, language=language).value == expected


def test_a_hint_that_does_not_fit_is_a_doubt() -> None:
    """ "without an e" about a word that holds one, "with a k" about one that does not."""
    assert not normalize_name("anne without an e", language="en").certain
    assert not normalize_name("schmidt ohne t", language="de").certain
    assert not normalize_name("carina with a k", language="en").certain


def test_a_name_that_opens_like_a_question_is_kept() -> None:
    """ "Will Smith": a verb first is a question only with a pronoun after it."""
    assert normalize_name("will smith", language="en").value == "Will Smith"


def test_a_no_before_a_name_is_no_refusal() -> None:
    """ "no, mi nombre es …": a "no" with a pause after it corrects; it declines nothing."""
    assert normalize_name("no, mi nombre es ana", language="es").value == "Ana"


def test_words_after_a_complete_address_are_left_out_with_a_doubt() -> None:
    """ "… dot org, is that okay": talk after the ending is not part of the domain."""
    result = normalize_email("my email is j dot doe at company dot org is that okay")
    assert result.value == "j.doe@company.org"
    assert not result.certain
    result = normalize_email("kai at gmx punkt de also kai", language="de")
    assert result.value == "kai@gmx.de"
