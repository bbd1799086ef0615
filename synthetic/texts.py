"""Finnish free text: names, fictional employers and schools, postings, seekers' own words.

Everything is composed from small phrase banks with the chunk's random generator,
so the same seed gives the same text. Postings are written the way employers
write them; job seekers write informally (lower case, run-on, the odd typo).
"""

from __future__ import annotations

import random

# --- names (only Koski's henkilö carries names) ------------------------------------

FI_MALE = (
    "Mikko",
    "Juha",
    "Timo",
    "Jari",
    "Antti",
    "Janne",
    "Matti",
    "Ville",
    "Tuomas",
    "Joni",
    "Aleksi",
    "Eetu",
    "Juho",
    "Lauri",
    "Niko",
    "Sami",
    "Petri",
    "Markus",
    "Olli",
    "Teemu",
    "Henri",
    "Kalle",
    "Jesse",
    "Arttu",
    "Tommi",
    "Heikki",
    "Pekka",
    "Oskari",
    "Veeti",
    "Onni",
)
FI_FEMALE = (
    "Anna",
    "Maria",
    "Laura",
    "Emmi",
    "Sanna",
    "Johanna",
    "Noora",
    "Aino",
    "Elina",
    "Riikka",
    "Katja",
    "Heidi",
    "Jenni",
    "Veera",
    "Sofia",
    "Emilia",
    "Iida",
    "Saara",
    "Minna",
    "Tiina",
    "Kaisa",
    "Henna",
    "Venla",
    "Milla",
    "Pauliina",
    "Anu",
    "Outi",
    "Eveliina",
)
FI_MIDDLE_MALE = ("Johannes", "Olavi", "Mikael", "Juhani", "Antero", "Kalevi", "Tapani", "Petteri")
FI_MIDDLE_FEMALE = (
    "Maria",
    "Johanna",
    "Kristiina",
    "Helena",
    "Elisabet",
    "Sofia",
    "Annikki",
    "Katariina",
)
FI_SURNAMES = (
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
    "Laaksonen",
    "Hiltunen",
    "Kettunen",
    "Räsänen",
    "Lindholm",
    "Nyström",
)
SV_MALE = ("Erik", "Johan", "Anders", "Henrik", "Mats", "Fredrik")
SV_FEMALE = ("Linnea", "Ebba", "Sara", "Ida", "Matilda", "Emma")
SV_SURNAMES = ("Lindqvist", "Holmström", "Sjöberg", "Björklund", "Wikström", "Ekholm", "Granlund")

# Foreign names by mother tongue group: (male, female, surnames).
_ARABIC = (
    ("Ahmed", "Mohammed", "Ali", "Hassan", "Omar", "Yousef", "Karim"),
    ("Fatima", "Aisha", "Zainab", "Noor", "Mariam", "Huda", "Layla"),
    ("Hassan", "Al-Sayed", "Abdullah", "Kareem", "Mahmoud", "Saleh", "Jaber"),
)
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ar": _ARABIC,
    "so": (
        ("Abdi", "Mohamed", "Hussein", "Farah", "Abdirahman"),
        ("Hodan", "Amina", "Sahra", "Fadumo", "Ifrah"),
        ("Warsame", "Abdi", "Farah", "Hussein", "Osman", "Jama"),
    ),
    "ru": (
        ("Dmitri", "Sergei", "Aleksei", "Ivan", "Nikolai"),
        ("Olga", "Irina", "Natalia", "Svetlana", "Jelena"),
        ("Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Petrova", "Ivanova"),
    ),
    "uk": (
        ("Oleksandr", "Andrii", "Mykola", "Taras", "Bohdan"),
        ("Olena", "Oksana", "Iryna", "Kateryna", "Yuliia"),
        ("Shevchenko", "Bondarenko", "Kovalenko", "Tkachenko", "Melnyk", "Kravchenko"),
    ),
    "et": (
        ("Andres", "Margus", "Tarmo", "Rasmus", "Kristjan"),
        ("Kadri", "Triin", "Liis", "Kertu", "Maarja"),
        ("Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk"),
    ),
    "fa": (
        ("Reza", "Ali", "Hamid", "Mehdi", "Amir"),
        ("Maryam", "Zahra", "Leila", "Shirin", "Parisa"),
        ("Ahmadi", "Hosseini", "Karimi", "Rahimi", "Mohammadi"),
    ),
    "ku": (
        ("Aram", "Dilshad", "Rebin", "Sherwan", "Karwan"),
        ("Nasrin", "Shilan", "Rojin", "Berivan", "Avin"),
        ("Rashid", "Aziz", "Qadir", "Mustafa", "Salih"),
    ),
    "en": (
        ("James", "Daniel", "Michael", "Thomas", "David"),
        ("Sarah", "Emily", "Jessica", "Laura", "Rachel"),
        ("Smith", "Brown", "Wilson", "Taylor", "Clarke", "Okafor"),
    ),
    "vi": (
        ("Minh", "Tuan", "Hung", "Duc", "Nam"),
        ("Linh", "Huong", "Mai", "Thu", "Lan"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang"),
    ),
    "th": (
        ("Somchai", "Anan", "Chai", "Kittisak"),
        ("Siriporn", "Nok", "Malee", "Ploy", "Kanya"),
        ("Srisuk", "Chaiyaporn", "Wongsa", "Boonmee"),
    ),
    "tl": (
        ("Jose", "Mark", "John Paul", "Ramon"),
        ("Maria Cristina", "Joy", "Rosalie", "Jennifer"),
        ("Santos", "Reyes", "Cruz", "Garcia", "Mendoza"),
    ),
    "zh": (
        ("Wei", "Jun", "Hao", "Lei"),
        ("Li", "Xiu", "Mei", "Yan", "Jing"),
        ("Wang", "Li", "Zhang", "Liu", "Chen"),
    ),
    "tr": (
        ("Mehmet", "Mustafa", "Emre", "Burak"),
        ("Ayse", "Elif", "Zeynep", "Merve"),
        ("Yilmaz", "Kaya", "Demir", "Sahin", "Celik"),
    ),
    "sq": (
        ("Arben", "Besnik", "Driton", "Agron"),
        ("Arta", "Blerta", "Drita", "Vjosa"),
        ("Krasniqi", "Gashi", "Berisha", "Hoxha"),
    ),
    "pl": (
        ("Piotr", "Tomasz", "Pawel", "Krzysztof"),
        ("Anna", "Katarzyna", "Agnieszka", "Magda"),
        ("Nowak", "Kowalski", "Wisniewski", "Wojcik"),
    ),
    "es": (
        ("Carlos", "Javier", "Diego", "Pablo"),
        ("Lucia", "Carmen", "Elena", "Sofia"),
        ("Garcia", "Fernandez", "Lopez", "Martinez"),
    ),
    "fr": (
        ("Louis", "Julien", "Antoine", "Mathieu"),
        ("Camille", "Chloe", "Manon", "Julie"),
        ("Martin", "Bernard", "Dubois", "Moreau"),
    ),
    "de": (
        ("Lukas", "Jonas", "Felix", "Stefan"),
        ("Lena", "Julia", "Katrin", "Sabine"),
        ("Müller", "Schmidt", "Schneider", "Fischer"),
    ),
}


def person_name(rng: random.Random, language: str, male: bool) -> tuple[str, str]:
    """(etunimet, sukunimi) plausible for the mother tongue."""
    c = rng.choice
    if language == "fi":
        first = c(FI_MALE) if male else c(FI_FEMALE)
        if rng.random() < 0.8:
            first = f"{first} {c(FI_MIDDLE_MALE) if male else c(FI_MIDDLE_FEMALE)}"
        return first, c(FI_SURNAMES)
    if language == "sv":
        first = c(SV_MALE) if male else c(SV_FEMALE)
        return first, c(SV_SURNAMES) if rng.random() < 0.7 else c(FI_SURNAMES)
    males, females, surnames = FOREIGN_NAMES.get(language, _ARABIC)
    return (c(males) if male else c(females)), c(surnames)


# --- employers and schools (fictional) ---------------------------------------------

REGIONS = (
    "Itä-Suomen",
    "Länsirannikon",
    "Pohjolan",
    "Etelä-Karjalan",
    "Pirkanmaan",
    "Uudenmaan",
    "Keski-Suomen",
    "Savon",
    "Hämeen",
    "Lapin",
    "Kaakon",
    "Satakunnan",
    "Pohjanmaan",
    "Järvi-Suomen",
    "Saariston",
    "Etelä-Suomen",
    "Kainuun",
    "Vantaanjoen",
)
EMPLOYER_NOUNS = {
    "care": (
        "Hoivapalvelut",
        "Kotihoito",
        "Hoiva",
        "Palvelutalot",
        "Terveyspalvelut",
        "Päiväkodit",
    ),
    "cleaning": ("Siivouspalvelu", "Puhtauspalvelut", "Kiinteistöhuolto", "Siivous"),
    "logistics": ("Logistiikka", "Varastopalvelut", "Terminaalit", "Jakelu"),
    "construction": ("Rakennus", "Rakennuspalvelu", "Talotekniikka", "Sähkö", "Saneeraus"),
    "restaurant": ("Ravintolat", "Catering", "Keittiöpalvelut", "Lounasravintolat"),
    "retail": ("Kauppa", "Market", "Kodintarvike", "Rautakauppa"),
    "ict": ("Ohjelmistot", "Digitalo", "Data", "IT-palvelut", "Pilvipalvelut"),
    "transport": ("Kuljetus", "Liikenne", "Bussiliikenne", "Kuljetuspalvelut"),
    "office": ("Tilitoimisto", "Asiakaspalvelu", "Palvelukeskus", "Toimistopalvelut"),
    "industry": ("Konepaja", "Metalli", "Elintarvike", "Tuotanto", "Autokorjaamo"),
    "security": ("Turvapalvelut", "Vartiointi", "Turva"),
}
FANCY = (
    "Kotiranta",
    "Sininen Hetki",
    "Aamurusko",
    "Kultasiipi",
    "Vihreä Lehti",
    "Tähkä",
    "Kivijalka",
    "Revontuli",
    "Mäntykallio",
    "Kaarna",
    "Ruska",
    "Pohjantähti",
)
FANCY_PREFIX = {
    "care": "Hoivakoti",
    "restaurant": "Ravintola",
    "retail": "Lähikauppa",
    "cleaning": "Siivous",
    "construction": "Rakennusliike",
    "ict": "Koodi",
}
COMPANY_FORMS = ("Oy", "Oy", "Oy", "Oy", "Ky", "Oyj", "Tmi")


def employer_name(rng: random.Random, sector: str) -> str:
    noun = rng.choice(EMPLOYER_NOUNS[sector])
    roll = rng.random()
    if roll < 0.45:
        return f"{rng.choice(REGIONS)} {noun} {rng.choice(COMPANY_FORMS)}"
    if roll < 0.75:
        return f"{rng.choice(FI_SURNAMES)} {noun} {rng.choice(COMPANY_FORMS)}"
    if roll < 0.9 and sector in FANCY_PREFIX:
        return f"{FANCY_PREFIX[sector]} {rng.choice(FANCY)}"
    return f"{noun} {rng.choice(FANCY)} Oy"


INSTITUTIONS = {
    "vocational": (
        "Ammattiopisto Kipinä",
        "Koulutuskeskus Virta",
        "Ammattiopisto Tuulensuu",
        "Rannikon ammattiopisto",
        "Järviseudun koulutuskuntayhtymä",
        "Ammattiopisto Louhi",
        "Koulutuskeskus Saaga",
        "Ammattiopisto Lumo",
        "Aikuisopisto Kajo",
        "Ammattiopisto Ahjo",
        "Koulutuskuntayhtymä Silta",
        "Ammattiopisto Kompassi",
    ),
    "general": (
        "Kaarnalan lukio",
        "Metsärinteen lukio",
        "Aurinkolahden lukio",
        "Kivikylän lukio",
        "Harjuniemen lukio",
        "Koivupuiston lukio",
        "Merenkaaren lukio",
        "Tähtiniityn lukio",
    ),
    "higher": (
        "Pohjoisrannan ammattikorkeakoulu",
        "Järviseudun ammattikorkeakoulu",
        "Kaakon ammattikorkeakoulu",
        "Itärannan yliopisto",
        "Harjun yliopisto",
        "Ammattikorkeakoulu Virta",
        "Länsilahden yliopisto",
    ),
}


def institution_pool() -> dict[str, tuple[tuple[str, str], ...]]:
    """Fixed (oid, name) per institution; the same in every run."""
    rng = random.Random("koski-institutions")
    return {
        level: tuple((f"1.2.246.562.10.{rng.randrange(10**10, 10**11)}", name) for name in names)
        for level, names in INSTITUTIONS.items()
    }


# --- postings ----------------------------------------------------------------------

WORKING_TIME_ADJ = {"KOKOAIKA": "kokoaikainen", "OSA_AIKA": "osa-aikainen"}
WORKING_TIME_ILL = {"KOKOAIKA": "kokoaikaiseen", "OSA_AIKA": "osa-aikaiseen"}
CONTRACT_ILL = {"VAKINAINEN": "vakituiseen", "MAARAAIKAINEN": "määräaikaiseen"}
LANGUAGE_GENITIVE = {"fi": "suomen", "sv": "ruotsin", "en": "englannin"}
OFFERS = (
    "Tarjoamme mukavan työyhteisön ja perehdytyksen tehtävään.",
    "Tarjoamme kilpailukykyisen palkan ja monipuoliset työsuhde-edut.",
    "Meillä pääset kehittymään ja saat tukea kokeneilta kollegoilta.",
    "Työvuorot sovitaan yhdessä, ja tarjoamme liikunta- ja kulttuuriedun.",
    "Palkkaus työehtosopimuksen mukaan.",
    "Aloitus sopimuksen mukaan, mielellään heti.",
)
APPLY = (
    "Hae viimeistään {deadline}.",
    "Haastattelemme hakijoita jo hakuaikana.",
    "Lisätietoja antaa esihenkilö arkisin klo 9-15.",
    "Hae tehtävää Työmarkkinatorin kautta.",
)


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def partitive(label: str) -> str | None:
    """Partitive of a one-word Finnish occupation label, or None when unsure.

    >>> partitive("varastotyöntekijä"), partitive("kokki"), partitive("kirvesmies")
    ('varastotyöntekijää', 'kokkia', 'kirvesmiestä')
    """
    if " " in label or "," in label or "(" in label or "/" in label:
        return None
    back = "a"
    for ch in reversed(label):
        if ch in "aou":
            break
        if ch in "äöy":
            back = "ä"
            break
    else:
        back = "ä"
    if label.endswith("mies"):
        return label[:-4] + "miestä"
    if label[-1] in "aäoöuy" and len(label) > 3 and label[-2] not in "aeiouyäö":
        return label + back
    if label.endswith("i") and label[-2] not in "aeiouyäö":
        return label + back
    return None


def posting_title(
    rng: random.Random, label: str, municipality: str, employer: str, working_time: str
) -> str:
    roll = rng.random()
    name = capitalize(label)
    if roll < 0.35:
        return f"{name}, {municipality}"
    if roll < 0.52:
        part = partitive(label)
        return f"Haemme {part}" if part else f"{name}, {municipality}"
    if roll < 0.62:
        return name
    if roll < 0.72:
        return f"{name} ({WORKING_TIME_ADJ[working_time]})"
    if roll < 0.84:
        return f"{name} – {employer}"
    if roll < 0.93:
        return f"{name}, {municipality} – aloitus heti"
    return f"{name} keikkatöihin"


def posting_description(
    rng: random.Random,
    *,
    label: str,
    employer: str,
    municipality: str,
    working_time: str,
    contract: str,
    skills: list[str],
    extra_skills: list[str],
    licences: list[str],
    languages: list[tuple[str, str]],
    deadline: str | None,
) -> str:
    part = partitive(label)
    what = part if part else f"osaajaa tehtävään {label}"
    parts = [
        f"{employer} hakee {what} {CONTRACT_ILL[contract]} "
        f"{WORKING_TIME_ILL[working_time]} työsuhteeseen. Työpaikan sijainti: {municipality}."
    ]
    if skills:
        parts.append("Työssä tarvitaan muun muassa seuraavia taitoja: " + ", ".join(skills) + ".")
    if extra_skills:
        parts.append("Eduksi katsotaan: " + ", ".join(extra_skills) + ".")
    if licences:
        parts.append("Edellytämme: " + ", ".join(licences) + ".")
    for code, level in languages:
        gen = LANGUAGE_GENITIVE.get(code)
        if gen:
            parts.append(f"Edellytämme {gen} kielen taitoa vähintään tasolla {level}.")
    parts.append(rng.choice(OFFERS))
    tail = rng.choice(APPLY)
    if "{deadline}" in tail:
        tail = tail.format(deadline=deadline) if deadline else "Haku on jatkuva."
    parts.append(tail)
    return " ".join(parts)


# --- job seekers' own words ----------------------------------------------------------

EXPERIENCE = {
    "care": (
        "oon lähihoitaja ja tehny vanhusten hoitoa {n} vuotta",
        "kotihoidossa oon ollu keikoilla",
        "tein hoiva-avustajana palvelutalossa",
        "päiväkodissa olin avustajana",
        "omaishoitajana olin pitkään",
    ),
    "cleaning": (
        "oon tehny siivousta {n} vuotta",
        "siivoustöitä toimistoissa ja kaupoissa",
        "tein laitossiivousta sairaalassa",
        "hotellissa olin huonesiivoojana",
        "kotisiivousta oon tehny",
    ),
    "logistics": (
        "oon ollu varastolla keräilijänä",
        "varastohommia oon tehny {n} vuotta",
        "keräilyä ja pakkaamista",
        "terminaalissa olin lastaamassa",
        "tavaran vastaanottoa ja hyllytystä",
    ),
    "construction": (
        "rakennuksella oon ollu apumiehenä",
        "kirvesmiehen hommia ja purkutöitä",
        "maalaushommia {n} vuotta",
        "laatotusta ja pintaremonttia",
        "sähköasennuksia oon tehny",
    ),
    "restaurant": (
        "oon ollu keittiöllä kokkina",
        "tiskiä ja kylmäkköä oon tehny",
        "pizzeriassa tein {n} vuotta",
        "salissa tarjoilijana",
        "kahvilassa baristana",
    ),
    "retail": (
        "kaupan kassalla olin {n} vuotta",
        "hyllytystä ja asiakaspalvelua",
        "vaatekaupassa myyjänä",
        "marketissa täyttäjänä iltaisin",
    ),
    "ict": (
        "koodannu pythonia ja javascriptiä",
        "tukipalveluissa oon ollu {n} vuotta",
        "tein verkkosivuja freelancerina",
        "it-tuessa käyttäjien koneita",
    ),
    "transport": (
        "ajanu jakeluautoa",
        "bussia ajanu {n} vuotta",
        "taksia ajoin",
        "rekkaa ajanu pohjoiseen",
        "kuriirihommia pakulla",
    ),
    "office": (
        "toimistotöitä ja laskutusta",
        "asiakaspalvelussa puhelimessa {n} vuotta",
        "vastaanotossa olin",
        "chatissa asiakaspalvelua",
    ),
    "industry": (
        "tehtaalla linjalla {n} vuotta",
        "hitsausta oon tehny",
        "autokorjaamolla renkaita",
        "kokoonpanossa tehtaalla",
        "leipomossa yövuorossa",
    ),
    "security": (
        "vartijana kauppakeskuksessa",
        "järjestyksenvalvojana baareissa",
        "aulapalvelussa olin",
    ),
}
SKILL_WORDS = {
    "care": (
        "lääkehoito on tuttua",
        "osaan avustaa pesuissa ja ruokailussa",
        "muistisairaat tuttuja",
    ),
    "cleaning": (
        "osaan käyttää lattianhoitokoneita",
        "tunnen siivousaineet",
        "ylläpitosiivous tuttua",
    ),
    "logistics": (
        "keräilylaite ja skanneri tuttuja",
        "osaan varastojärjestelmiä",
        "rullakot ja lavat",
    ),
    "construction": (
        "osaan lukea piirustuksia",
        "käsityökalut ja sirkkeli hallussa",
        "muottityöt tuttuja",
    ),
    "restaurant": (
        "osaan tehdä lounasta isolle porukalle",
        "kassa ja asiakaspalvelu sujuu",
        "allergiaruoat tuttuja",
    ),
    "retail": (
        "kassajärjestelmät tuttuja",
        "osaan palvella asiakkaita",
        "tilaukset ja inventaario",
    ),
    "ict": ("osaan sql ja vähän pilveä", "linux ja verkot tuttuja", "reactia oon tehny"),
    "transport": (
        "ajopiirturi tuttu",
        "osaan kuormata ja sitoa kuorman",
        "reitit pk-seudulla tuttuja",
    ),
    "office": ("excel ja office tuttuja", "osaan laskutuksen", "kirjanpitoa vähän"),
    "industry": ("mig-hitsaus sujuu", "osaan lukea mittapiirustuksia", "cnc-koneet tuttuja"),
    "security": ("ensiapu hallussa", "osaan hoitaa hankalatkin tilanteet rauhallisesti"),
}
LICENCE_WORDS = {
    "AJOKORTTI_B": ("b-kortti", "ajokortti b", "auto ja b-kortti"),
    "AJOKORTTI_C": ("c-kortti",),
    "AJOKORTTI_CE": ("ce-kortti", "yhdistelmäkortti"),
    "AJOKORTTI_D": ("d-kortti", "bussikortti"),
    "AMMATTIPATEVYYS": ("ammattipätevyys", "ammattipätevyys voimassa"),
    "HYGIENIAPASSI": ("hygieniapassi", "hygis"),
    "ALKOHOLIPASSI": ("anniskelupassi",),
    "ENSIAPU_EA1": ("ea1", "ensiapukortti"),
    "TYOTURVALLISUUSKORTTI": ("työturvallisuuskortti", "tyoturvakortti"),
    "TULITYOKORTTI": ("tulityökortti", "tulityökortti voimassa"),
    "TRUKKIKORTTI": ("trukkikortti",),
    "SAHKOTURVALLISUUS": ("sähkötyöturvallisuuskortti", "sättu"),
    "TIETURVA1": ("tieturva 1",),
    "JARJESTYKSENVALVOJA": ("järkkärikortti",),
    "VARTIJAKORTTI": ("vartijakortti",),
}
WISHES = (
    "haluisin kokoaikasta työtä",
    "käy myös osa-aika",
    "voin tehdä vuorotyötä",
    "iltaa ja viikonloppua voin tehdä",
    "mieluiten päivätyötä",
    "keikkatyökin käy",
    "haluun vakituisen paikan",
    "voin aloittaa heti",
    "julkisilla pitää päästä töihin",
)
FOREIGN_FINNISH = (
    "suomen kieli vielä heikko mut opiskelen",
    "puhun suomea vähän",
    "suomen kurssi menossa",
    "ymmärrän suomea paremmin ku puhun",
)
HEALTH = (
    "selkä ei kestä enää raskasta nostelua",
    "kevyempi työ ois hyvä terveyden takia",
    "oon ollu sairauslomalla mut nyt parempi",
)
FORMAL = (
    "Olen motivoitunut ja oppimishaluinen työntekijä, joka sopeutuu nopeasti uusiin tehtäviin.",
    "Olen luotettava ja täsmällinen. Haen pitkäaikaista työsuhdetta.",
    "Minulla on kokemusta alalta ja haluan kehittyä ammatissani.",
)
ENGLISH = (
    "i have worked in {what} {n} years, looking for any job",
    "i speak english good and learning finnish, i can start immediately",
    "experience in {what}, have {lic}",
)
ENGLISH_WHAT = {
    "cleaning": "cleaning",
    "restaurant": "kitchen",
    "logistics": "warehouse",
    "care": "elderly care",
    "construction": "construction",
    "transport": "driving",
    "retail": "shop",
    "ict": "it",
    "office": "customer service",
    "industry": "factory",
    "security": "security",
}
OPENERS = ("", "", "", "moi ", "hei, ", "terve ")
JOINERS = (", ", ", ", " ja ", " mut ", ", niin ", " ", ". ")


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 8:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def seeker_text(
    rng: random.Random,
    *,
    sector: str,
    licences: list[str],
    foreign: bool,
    years: int,
    health: bool = False,
) -> str:
    """A job seeker's own description, e.g. "oon tehny siivousta ja vähän varastohommia"."""
    roll = rng.random()
    n = max(1, years)
    lic_words = [rng.choice(LICENCE_WORDS[c]) for c in licences if c in LICENCE_WORDS]
    if roll < 0.1:
        return rng.choice(FORMAL)
    if foreign and roll < 0.22:
        lic = lic_words[0] if lic_words else "no licence"
        return rng.choice(ENGLISH).format(what=ENGLISH_WHAT[sector], n=n, lic=lic)
    bits = [rng.choice(EXPERIENCE[sector]).format(n=n)]
    if rng.random() < 0.5:
        bits.append(rng.choice(SKILL_WORDS[sector]))
    if lic_words:
        if len(lic_words) == 1:
            bits.append(f"{lic_words[0]} on")
        else:
            bits.append(", ".join(lic_words[:-1]) + f" on ja {lic_words[-1]}")
    if foreign and rng.random() < 0.6:
        bits.append(rng.choice(FOREIGN_FINNISH))
    if health and rng.random() < 0.5:
        bits.append(rng.choice(HEALTH))
    bits.append(rng.choice(WISHES))
    text = rng.choice(OPENERS) + bits[0]
    for bit in bits[1:]:
        text += rng.choice(JOINERS) + bit
    if rng.random() < 0.35:
        text = _typo(rng, text)
    if rng.random() < 0.15:
        text = _typo(rng, text)
    return text
