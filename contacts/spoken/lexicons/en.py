"""English."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, pairs, phrases

UNITS = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()

# The symbol words every language's callers also use (English is the lingua franca of email).
EMAIL_SYMBOLS: dict[str, tuple[str, ...]] = {
    "@": ("at", "at the rate of", "at the rate", "at sign", "at symbol", "at the sign"),
    ".": ("dot", "period", "full stop", "point"),
    "_": ("underscore", "under score", "underline"),
    "-": ("hyphen", "dash", "minus"),
    "+": ("plus",),
}

# Letters as recognisers write them when heard as words ("jay" for j, "bee" for b).
LETTER_NAMES = {
    "ay": "a", "oh": "o", "bee": "b", "be": "b", "cee": "c", "see": "c", "sea": "c", "dee": "d",
    "ee": "e", "ef": "f", "eff": "f", "gee": "g", "aitch": "h", "eye": "i", "jay": "j",
    "kay": "k", "el": "l", "ell": "l", "em": "m", "en": "n", "pee": "p", "cue": "q",
    "queue": "q", "ar": "r", "are": "r", "ess": "s", "tee": "t", "tea": "t", "you": "u",
    "vee": "v", "double u": "w", "double-u": "w", "ex": "x", "why": "y", "zed": "z",
    "zee": "z",
}  # fmt: skip

LEXICON = Lexicon(
    code="en",
    numbers={
        **{w: i for i, w in enumerate(UNITS)},
        **{w: 10 + i for i, w in enumerate(TEENS)},
        **{w: 20 + 10 * i for i, w in enumerate(TENS)},
        "fourty": 40,
        "hundred": 100,
        "thousand": 1000,
    },
    phone_only_numbers={"oh": 0, "o": 0, "nought": 0, "naught": 0},
    homophones={"to": 2, "too": 2, "for": 4, "won": 1, "ate": 8},
    connectors=frozenset({"and"}),
    repeats={"double": 2, "triple": 3, "treble": 3},
    email_symbols=EMAIL_SYMBOLS,
    plus_words=("plus",),
    lead_ins=phrases(
        "okay, ok, so, then, yeah, yes, yep, sure, well, right, alright, all right, um, uh, "
        "er, erm, hmm, it's, it is, its, that's, that is, that'd be, that would be, "
        "here it is, it would be, it'd be, i think, let's see, send it to, you can send it to, "
        "send it over to, email me at, you can email me at, reach me at"
    )
    # "it's my work one …": which of the caller's addresses, said before it.
    + pairs(
        "my, the, use my, use the",
        "work one, personal one, main one, private one, business one, home one, other one, "
        "usual one, new one, old one",
    ),
    intro_nouns=phrases(
        "email address, e-mail address, email, e-mail, mail address, address, "
        "phone number, mobile number, cell number, number, mobile, cell, name"
    ),
    intro_verbs=("is", "would be", "will be", "should be", "'s", "’s", "it's", "is just"),
    fillers=("um", "umm", "uh", "uhh", "er", "erm", "hmm", "like", "you know", "i guess"),
    trailing=phrases(
        "thanks, thank you, thank you very much, thanks a lot, cheers, please, "
        "that's it, that is it, that's all, that's right, that's correct, okay, ok, "
        "yeah, got it, did you get that, right, that's the best one, that's the one, "
        "that's the best, that's my main one, that's the best way to reach me"
    ),
    corrections=phrases(
        "no sorry, no, sorry, sorry, sorry no, no wait, wait, hold on, i mean, i meant, "
        "actually, no no, oops, my bad, correction, rather, or rather, no it's, "
        "not that, make that, actually make that, that's wrong, wrong"
    ),
    restarts=phrases(
        "scratch that, the new one is, the new one's, my new number is, the new number is, "
        "my new email is, the new email is, let me start again, let me start over, start again, "
        "start over, "
        "let me try again, let me say that again, from the beginning, forget that"
    ),
    spell_connectors=("as in", "for", "like", "as", "is for"),
    capital_words=("capital", "uppercase", "upper case", "big"),
    lower_phrases=phrases(
        "all lower case, all lowercase, all in lower case, all small letters, "
        "lower case, lowercase, all small, no capitals, small letters"
    ),
    joined_phrases=phrases(
        "all one word, all in one word, one word, all together, all joined, no spaces, "
        "no space, no dots, with no dots"
    ),
    tld_sound_alikes={"calm": "com", "come": "com"},
    extension_words=("extension", "ext", "x"),
    letter_names=LETTER_NAMES,
    name_lead_ins=phrases(
        "my name is, my name's, name is, name's, i am, i'm, this is, call me, it, "
        "my first name is, my last name is, the name is, you can call me, "
        "hi, hello, hey, good morning, good afternoon, good evening, for, it's for, "
        "the appointment is for, the booking is for, under, under the name, my surname is, "
        "my surname's, surname is, last name is, first name is, my last name's, mr, mrs, ms, "
        "miss, mister, just put, put, put down, write down, just write, just, make it, "
        "change it to, "
        "oh, under mine, mine is, mine's, my own, under my own name, under my name"
    ),
    name_intros=phrases(
        "my name is, my name's, my first name is, this is, i'm, i am, it's for, the name is, "
        "the name's, "
        "it would be for, would be for, will be for, is for, book it for, book it under, "
        "put it under, under the name, the booking is for, the appointment is for, "
        "his name is, her name is, his name's, her name's, their name is, he's called, "
        "she's called, he is called, she is called, named, goes by"
    ),
    name_trailing=phrases("calling, speaking, here, on the line, please"),
    name_joiners=phrases(
        "and my last name is, and my surname is, and my family name is, and the last name is, "
        "and last name, and surname"
    ),
    surname_intros=phrases(
        "last name is, last name's, surname is, surname's, family name is, second name is, "
        "last name, surname, family name"
    ),
    first_name_intros=phrases(
        "first name is, first name's, given name is, christian name is, first name, given name"
    ),
    relations=pairs(
        "my, our",
        "husband, wife, son, daughter, mother, mom, mum, father, dad, partner, boyfriend, "
        "girlfriend, brother, sister, kid, child, friend, boss, grandmother, grandfather",
    ),
    question_openers=frozenset(
        "do does did is are was can could would will should must shall may have".split()
    ),
    pronouns=frozenset("i me you we us they them myself yourself".split()),
    verb_endings=("ing",),
    question_words=frozenset("what who why how which whose".split()),
    declines=phrases(
        "rather not, prefer not, i'd prefer not, not say, not telling, won't say, "
        "don't want to say, do not want to say, none of your business, no comment, "
        "that's private, it's private, no thanks, no thank you, not necessary, "
        "doesn't matter, does not matter, stay anonymous, anonymous, without a name, "
        "without giving a name, skip that, skip it, skip this one, i'll skip, i'll pass, "
        "pass on that, leave it blank, leave that blank, no names"
    ),
    # "will" and "say" are left out: Will is a first name, Say a surname.
    asks_back=phrases(
        "can you repeat, could you repeat, repeat the question, repeat that, say that again, "
        "say again, come again, didn't catch, did not catch, didn't hear, did not hear, "
        "repeat, i don't know, i do not know, dunno, what was the question, sorry what, "
        "pardon me, hang on, one moment, one second, just a moment, just a second, "
        "give me a second, bear with me, let me think, wait a moment, wait a second, "
        "can't hear you, cannot hear you, hear you very badly, barely hear you, can barely hear, "
        "hard to hear you, hear you badly, "
        "you're breaking up, breaking up, bad line, the line is bad"
    ),
    negations=frozenset("not no never won't don't rather".split()),
    giving_verbs=frozenset("give giving say saying tell telling share sharing leave".split()),
    name_nouns=frozenset({"name", "surname", "names"}),
    common_words=frozenset(
        "the a an is are was were be been am do does doesn't did didn't don't have has had i "
        "i'd i'm i've i'll me my mine myself you your we our us they them their it it's its "
        "that that's this these those there here what which who why how when where not no yes "
        "yeah yep please thanks thank to of in on at by from with without about as and or but "
        "so if then just also actually really can can't could would should must might need "
        "want use put book booking under name names named called call say said tell give know "
        "think matter matters prefer rather stay okay ok hi hello sorry maiden anyway still "
        "again already one else whatever later it'll go ahead"
        " told tell later"
        " let thing work personal private office"
        " necessary really oh"
        " regarding appointment reservation booking word words still"
        " write send reach"
        " today tomorrow tonight calling"
        " nah leave skip".split()
    ),
    sentence_words=frozenset(
        "the a an is are was were be would should could not don't do does did this that "
        "about what it its it's i i'm i'd you your my me we our for to of and or but if "
        "want need have has just please thanks huh hmm myself second moment sec minute".split()
    ),
    # "van" is left out: "Nguyen Van An" has a middle name, not a particle.
    particles=frozenset({"de", "del", "della", "di", "da", "du", "des", "von"}),
    particle_articles=frozenset({"la", "der", "den"}),
    hint_words=phrases("with an, with a, with, spelled with an, spelled with a, spelled with"),
    without_words=phrases("without an, without a, without the, without"),
    accent_words=phrases(
        "with an accent on the, with an accent on, with an accent, with an umlaut on the, "
        "with an umlaut, with a cedilla, with two dots over the, with two dots on the, "
        "with the two dots over the, with two dots"
    ),
    hint_tails=phrases("at the end, at the start, at the beginning, in the middle"),
    spelled_intros=phrases("that's, that is, spelled, spelt, spelled as, that's spelled"),
)
