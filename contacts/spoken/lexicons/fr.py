"""French."""

from __future__ import annotations

from contacts.spoken.lexicons.base import Lexicon, pairs, phrases
from contacts.spoken.lexicons.en import EMAIL_SYMBOLS

UNITS = "zéro un deux trois quatre cinq six sept huit neuf".split()
TEENS = "dix onze douze treize quatorze quinze seize dix-sept dix-huit dix-neuf".split()
TENS = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}

# Letter names, as recognisers write them when heard as words.
LETTER_NAMES = {
    "bé": "b", "cé": "c", "dé": "d", "effe": "f", "gé": "g", "ache": "h", "ji": "j",
    "ka": "k", "elle": "l", "emme": "m", "enne": "n", "pé": "p", "qu": "q", "erre": "r",
    "esse": "s", "té": "t", "vé": "v", "double vé": "w", "double v": "w", "iks": "x", "i grec": "y",
    "y grec": "y", "zède": "z",
}  # fmt: skip

LEXICON = Lexicon(
    code="fr",
    numbers={
        **{w: i for i, w in enumerate(UNITS)},
        "zero": 0,
        "une": 1,
        **{w: 10 + i for i, w in enumerate(TEENS)},
        **TENS,
        "vingts": 20,
        "septante": 70,
        "huitante": 80,
        "octante": 80,
        "nonante": 90,
        "cent": 100,
        "cents": 100,
        "mille": 1000,
    },
    # What recognisers write for "dix", "vingt" and "cent" between numbers ("dis-huit").
    homophones={
        "cette": 7,
        "cet": 7,
        "set": 7,
        "dis": 10,
        "vin": 20,
        "vins": 20,
        "vain": 20,
        "sans": 100,
        "sang": 100,
        "cens": 100,
    },
    connectors=frozenset({"et"}),
    repeats={"double": 2, "triple": 3},
    email_symbols={
        **EMAIL_SYMBOLS,
        "@": (
            *EMAIL_SYMBOLS["@"],
            *phrases("arobase, arrobase, arobas, a commercial, a robase, à robase, a robas, chez"),
        ),
        ".": (*EMAIL_SYMBOLS["."], "point"),
        "_": (*EMAIL_SYMBOLS["_"], "tiret bas", "tiret du bas", "underscore", "souligné"),
        "-": (*EMAIL_SYMBOLS["-"], "tiret", "trait d'union", "tiret du six"),
    },
    plus_words=("plus",),
    lead_ins=phrases(
        "alors, donc, bon, ben, oui, de préférence à, de préférence, plutôt à, d'accord, ok, "
        "okay, euh, c'est, voilà, ça serait, "
        "ce serait, bah, bien sûr, bien sur, envoyez-le à, vous pouvez l'envoyer à, "
        "notez, vous notez"
    ),
    intro_nouns=phrases(
        "adresse e-mail, adresse mail, adresse email, adresse électronique, adresse, "
        "e-mail, email, mail, courriel, numéro de téléphone, numéro, portable, nom"
    ),
    intro_verbs=("c'est", "est", "ce serait", "serait"),
    fillers=("euh", "heu", "bah", "ben", "genre", "en fait", "tu vois", "vous voyez"),
    trailing=phrases(
        "merci, merci beaucoup, s'il vous plaît, s'il te plaît, c'est tout, voilà, d'accord, "
        "c'est bon, ok, okay, c'est ça"
    ),
    corrections=phrases(
        "non pardon, non, pardon, pardon, désolé, désolée, je veux dire, "
        "je voulais dire, plutôt, enfin non, non enfin, attendez, attends, non attendez, "
        "excusez-moi, en fait, je me suis trompé, je me suis trompée, c'est faux"
    ),
    restarts=phrases(
        "je recommence, on recommence, oubliez ça, reprenons, le nouveau c'est, le nouveau est, "
        "le nouveau numéro c'est, le nouveau numéro est, mon nouveau numéro c'est, "
        "mon nouveau numéro est, la nouvelle c'est, la nouvelle est, ma nouvelle adresse c'est"
    ),
    spell_connectors=("comme", "de"),
    capital_words=("majuscule", "grand", "lettre majuscule"),
    lower_phrases=("tout en minuscules", "tout en minuscule", "en minuscules", "minuscules"),
    joined_phrases=phrases(
        "tout attaché, tout attachés, tout collé, tout collés, en un seul mot, en un mot, "
        "sans espace, sans espaces, sans point, attaché, collé"
    ),
    tld_sound_alikes={"comme": "com", "comte": "com", "conne": "com"},
    label_sound_alikes={"yahou": "yahoo", "gmaille": "gmail", "hotmaille": "hotmail"},
    extension_words=("poste", "extension", "ext"),
    phonetic={},
    letter_names=LETTER_NAMES,
    name_lead_ins=phrases(
        "je m'appelle, mon nom est, mon nom c'est, je suis, moi c'est, bonjour, bonsoir, "
        "allô, allo, oui, c'est pour, pour, de la part de, au nom de, c'est au nom de, "
        "le rendez-vous est pour, c'est de la part de, mon prénom c'est, mon prénom est, "
        "mon nom de famille c'est, mon nom de famille est, madame, monsieur, mademoiselle, "
        "mettez, mettez juste, notez, notez juste, juste, au mien, le mien, à mon nom, "
        "sur mon nom, "
        "plutôt au mien, plutôt"
    ),
    name_intros=phrases(
        "je m'appelle, mon nom est, mon nom c'est, je suis, moi c'est, de la part de, au nom de, "
        "c'est pour, s'appelle, son nom est, son nom c'est, se nomme, nommé, nommée"
    ),
    name_trailing=phrases("à l'appareil, ici, s'il vous plaît"),
    name_joiners=phrases(
        "et mon nom de famille est, et mon nom de famille c'est, et mon nom c'est, "
        "et mon nom est, et de nom de famille"
    ),
    surname_intros=phrases(
        "nom de famille c'est, nom de famille est, nom c'est, nom est, nom de famille, "
        "le nom de famille c'est, "
        "le nom de famille est, le nom c'est, le nom est, le nom, nom"
    ),
    first_name_intros=phrases("prénom c'est, prénom est, prénom"),
    relations=pairs(
        "mon, ma, mes, notre, de mon, de ma, pour mon, pour ma",
        "mari, femme, fils, fille, mère, père, frère, sœur, soeur, copain, copine, conjoint, "
        "conjointe, patron, patronne, ami, amie, enfant, grand-mère, grand-père",
    ),
    declines=phrases(
        "je préfère ne pas, préfère ne pas, je ne veux pas, je veux pas, pas envie, "
        "je ne préfère pas, je préfère pas, je ne vous le dirai pas, ça ne vous regarde pas, "
        "c'est nécessaire, c'est obligatoire, pas besoin, c'est privé, non merci, "
        "plutôt pas, anonyme, c'est personnel, pas d'importance, peu importe, sans nom, je passe, "
        "on passe, passons, je préfère passer, pas de nom, laissez vide"
    ),
    asks_back=phrases(
        "répéter, vous pouvez répéter, pouvez-vous répéter, vous pourriez répéter, répétez, "
        "tu peux répéter, j'ai pas compris, je n'ai pas compris, j'ai pas entendu, "
        "je n'ai pas entendu, je sais pas, je ne sais pas, sais pas, aucune idée, "
        "vous dites, comment ça, un instant, un moment, une seconde, patientez, "
        "laissez-moi réfléchir, deux secondes, entends mal, entends très mal, entends pas bien, "
        "entends pas très bien, entends très peu, je vous entends pas, "
        "je ne vous entends pas, entends rien, ça coupe, ça grésille, la ligne est mauvaise"
    ),
    negations=frozenset({"pas", "ne", "n'", "jamais", "non"}),
    giving_verbs=frozenset("donne donner donnerai dis dire dirai laisse laisser".split()),
    name_nouns=frozenset({"nom", "prénom", "noms"}),
    common_words=frozenset(
        "je j' tu il elle on vous nous ne n' pas plus le les l' un une des est suis es sont "
        "était c'est ce ça cela mon ma mes ton ta tes son sa ses notre votre pour par avec "
        "sans dans en à au aux et ou mais donc oui non si que qui quoi moi toi lui bonjour "
        "merci alors bon ben euh voilà enfin plutôt mettez mettre nom prénom personnel "
        "anonyme mieux rester aimerais j'aimerais préfère préfèrerais veux dire dis sais "
        "importe peu c'est-à-dire voici"
        " dirai tard déjà"
        " celle celui boulot travail bureau perso"
        " vraiment nécessaire obligé besoin"
        " concernant sujet propos réservation rendez-vous mot mots êtes là"
        " pouvez écrire utiliser envoyer"
        " aujourd'hui demain soir toujours"
        " laissez laisse tomber faire".split()
    ),
    sentence_words=frozenset(
        "je j' tu il elle vous nous ne pas le les un une est suis mon ma mes pour enfin non "
        "oui dire veux préfère que qui quoi et ou mais ça ce c'est hein moi".split()
    ),
    question_openers=frozenset({"est-ce", "faut-il", "pouvez-vous", "voulez-vous"}),
    pronouns=frozenset("je tu il ils nous vous me te ça cela".split()),
    elided_pronouns=("j'", "m'", "t'", "s'"),
    verb_endings=("ait", "ions", "iez"),
    question_words=frozenset("quel quelle quels quelles pourquoi comment quoi qui".split()),
    particles=frozenset({"de", "du", "des", "d'", "van", "von"}),
    particle_articles=frozenset({"la", "l'"}),
    hint_words=phrases("avec un, avec une, avec deux, avec, il y a, y a, ça prend"),
    without_words=phrases("sans un, sans une, sans"),
    accent_words=phrases(
        "avec un accent aigu sur le, avec un accent grave sur le, avec un accent sur le, "
        "avec accent sur le, avec un accent aigu, avec un accent grave, avec un accent, "
        "accent aigu, accent grave, avec un tréma sur le, avec un tréma, avec une cédille, "
        "avec un accent circonflexe sur le, avec un accent circonflexe, avec un circonflexe"
    ),
    hint_tails=phrases("à la fin, au début, au milieu"),
    spelled_intros=phrases("c'est, ça s'écrit, qui s'écrit, soit"),
)
