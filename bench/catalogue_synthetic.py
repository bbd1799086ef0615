"""A realistic synthetic catalogue of any size, in DCAT-AP 3 / MLDCAT-AP 3.1, for the
catalogue benchmark and for tests that need more than a hand-written fixture.

    from bench.catalogue_synthetic import generate_catalogue
    graph = generate_catalogue(items=1000, seed=1)

Its shape follows what the service describes: each source registry's extracts as a
``dcat:DatasetSeries`` (Kela, the cities' employment services, Koski, Migri, the
population register, a wellbeing services county, the enforcement authority, the job
marketplace, ESCO) with its monthly extracts as ``dcat:Dataset`` (``dcat:inSeries``, a CSV
distribution, two DQV measurements), data products (``dcat:DataService`` under the product
namespace serving ``<product>#dataset``, derived from series), models
(``it6:MachineLearningModel`` trained on products' datasets and series) and the service's
own endpoints. Titles, descriptions and keywords in Finnish and English, EU data themes with
their labels, publishers, licences, access rights, Finnish acts as ELI IRIs, dct:modified.
Exactly ``items`` searchable items (datasets, series, services, products, models);
deterministic for a seed. Pure rdflib: importing it pulls in nothing else of the project.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
IT6 = Namespace("http://data.europa.eu/it6/")
PROV = Namespace("http://www.w3.org/ns/prov#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

BASE = "https://tyodata.fi/catalog"
DATASET = BASE + "/dataset/"
PRODUCT = BASE + "/product/"
MODEL = BASE + "/model/"
SERVICE = BASE + "/service/"
AGENT = BASE + "/agent/"
EU = "http://publications.europa.eu/resource/authority/"
THEME = EU + "data-theme/"
ACCESS = EU + "access-right/"
LICENCE = EU + "licence/"
FINLEX = "http://data.finlex.fi/eli/sd/"

THEMES = {
    "SOCI": ("Väestö ja yhteiskunta", "Population and society"),
    "ECON": ("Talous ja raha-asiat", "Economy and finance"),
    "EDUC": ("Koulutus, kulttuuri ja urheilu", "Education, culture and sport"),
    "HEAL": ("Terveys", "Health"),
    "GOVE": ("Hallinto ja julkinen sektori", "Government and public sector"),
    "JUST": ("Oikeus, oikeusjärjestelmä ja yleinen turvallisuus",
             "Justice, legal system and public safety"),
    "INTR": ("Kansainväliset kysymykset", "International issues"),
    "REGI": ("Alueet ja kaupungit", "Regions and cities"),
    "TECH": ("Tiede ja teknologia", "Science and technology"),
}
ACTS = {  # year/number: (Finnish title, English title)
    "2023/380": ("Laki julkisten työvoima- ja yrityspalvelujen järjestämisestä",
                 "Act on the Organisation of Public Employment and Business Services"),
    "2002/1290": ("Työttömyysturvalaki", "Unemployment Security Act"),
    "2004/1224": ("Sairausvakuutuslaki", "Health Insurance Act"),
    "2005/566": ("Laki Kansaneläkelaitoksen kuntoutusetuuksista",
                 "Act on Rehabilitation Benefits of Kela"),
    "2017/884": ("Laki valtakunnallisista opinto- ja tutkintorekistereistä",
                 "Act on National Registers of Education Records"),
    "2004/301": ("Ulkomaalaislaki", "Aliens Act"),
    "2009/661": ("Laki väestötietojärjestelmästä", "Act on the Population Information System"),
    "2007/705": ("Ulosottokaari", "Enforcement Code"),
    "2019/1133": ("Laki sosiaali- ja terveystietojen toissijaisesta käytöstä",
                  "Act on the Secondary Use of Health and Social Data"),
}
LICENCES = {"CC_BY_4_0": ("Creative Commons Nimeä 4.0", "Creative Commons Attribution 4.0"),
            "CC0": ("Creative Commons CC0 1.0", "Creative Commons CC0 1.0")}


@dataclass(frozen=True)
class Source:
    key: str
    publisher: str  # agent key
    genitive_fi: str
    name_en: str
    topics: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]
    """(Finnish topic, English topic, Finnish keywords, English keywords)."""
    themes: tuple[str, ...]
    acts: tuple[str, ...]
    personal: bool = True


_CITY_TOPICS = (
    ("työllisyyspalvelujen asiakkuudet", "employment service clients",
     ("työnhakija", "asiakkuus", "työllisyyspalvelut"),
     ("job seeker", "client", "employment services")),
    ("työnhakijoiden palvelutarpeet", "job seekers' service needs",
     ("työnhakija", "palvelutarve", "kotoutuminen"), ("job seeker", "service need")),
    ("työllistymissuunnitelmat", "employment plans",
     ("työllistymissuunnitelma", "työnhakija"), ("employment plan", "job seeker")),
    ("palkkatuetut työsuhteet", "subsidised employment",
     ("palkkatuki", "työsuhde"), ("pay subsidy", "employment")),
)
CITIES = (("helsinki", "Helsingin", "Helsinki"), ("espoo", "Espoon", "Espoo"),
          ("vantaa", "Vantaan", "Vantaa"), ("tampere", "Tampereen", "Tampere"),
          ("turku", "Turun", "Turku"), ("oulu", "Oulun", "Oulu"),
          ("jyvaskyla", "Jyväskylän", "Jyväskylä"), ("kuopio", "Kuopion", "Kuopio"),
          ("lahti", "Lahden", "Lahti"))
SOURCES: tuple[Source, ...] = (
    Source("kela", "kela", "Kelan", "Kela", (
        ("etuuspäätökset", "benefit decisions", ("etuus", "päätös", "toimeentulo"),
         ("benefit", "decision", "social security")),
        ("kuntoutuspäätökset", "rehabilitation decisions", ("kuntoutus", "ammatillinen kuntoutus"),
         ("rehabilitation", "vocational rehabilitation")),
        ("sairauspäivärahat", "sickness allowances", ("sairauspäiväraha", "työkyky"),
         ("sickness allowance", "work ability")),
        ("työttömyysetuudet", "unemployment benefits", ("työttömyysturva", "peruspäiväraha"),
         ("unemployment benefit", "basic allowance")),
    ), ("SOCI", "ECON"), ("2002/1290", "2004/1224", "2005/566")),
    *(Source(f"city-{key}", f"city-{key}", genitive, f"City of {name}", _CITY_TOPICS,
             ("SOCI", "REGI"), ("2023/380",)) for key, genitive, name in CITIES),
    Source("koski", "oph", "Kosken", "Koski", (
        ("opiskeluoikeudet", "study rights", ("opiskeluoikeus", "oppilaitos"),
         ("study right", "institution")),
        ("suoritetut tutkinnot", "completed qualifications", ("tutkinto", "koulutus"),
         ("qualification", "education")),
        ("ammatillisen koulutuksen suoritukset", "vocational education records",
         ("ammatillinen koulutus", "osaaminen"), ("vocational education", "competence")),
    ), ("EDUC",), ("2017/884",)),
    Source("migri", "migri", "Maahanmuuttoviraston", "Finnish Immigration Service", (
        ("oleskeluluvat", "residence permits", ("oleskelulupa", "maahanmuutto"),
         ("residence permit", "immigration")),
        ("työperusteiset oleskeluluvat", "work-based residence permits",
         ("oleskelulupa", "työperusteinen maahanmuutto"), ("residence permit", "labour migration")),
    ), ("INTR", "SOCI"), ("2004/301",)),
    Source("vtj", "dvv", "Väestötietojärjestelmän", "Population Information System", (
        ("henkilötiedot", "personal data", ("väestötiedot", "henkilö"), ("population", "person")),
        ("osoitteet ja kotitaloudet", "addresses and households",
         ("osoite", "kotitalous", "kotikunta"), ("address", "household", "municipality")),
    ), ("SOCI", "GOVE"), ("2009/661",)),
    Source("pirha", "pirha", "Pirkanmaan hyvinvointialueen", "Pirkanmaa wellbeing services county",
           (("lääkärinlausunnot", "doctor's statements", ("lääkärinlausunto", "työkyky"),
             ("medical statement", "work ability")),), ("HEAL",), ("2019/1133",)),
    Source("ulosotto", "ulosotto", "Ulosottolaitoksen", "National Enforcement Authority",
           (("ulosottoasiat", "enforcement cases", ("ulosotto", "velka"),
             ("enforcement", "debt")),),
           ("ECON", "JUST"), ("2007/705",)),
    Source("tyomarkkinatori", "tyomarkkinatori", "Työmarkkinatorin", "Job Market Finland", (
        ("työpaikkailmoitukset", "job postings", ("työpaikka", "avoin työpaikka", "rekrytointi"),
         ("job posting", "vacancy", "recruitment")),
        ("työnhakijaprofiilit", "job seeker profiles", ("työnhakija", "osaaminen", "ESCO"),
         ("job seeker", "skills", "ESCO")),
    ), ("ECON", "SOCI"), ("2023/380",)),
    Source("esco", "ec", "ESCO-luokituksen", "ESCO", (
        ("ammatit ja taidot", "occupations and skills", ("ammattiluokitus", "taito", "ESCO"),
         ("occupation", "skill", "classification")),
    ), ("EDUC", "TECH"), (), personal=False),
)
AGENTS = {
    "kela": ("Kansaneläkelaitos", "Social Insurance Institution of Finland"),
    "oph": ("Opetushallitus", "Finnish National Agency for Education"),
    "migri": ("Maahanmuuttovirasto", "Finnish Immigration Service"),
    "dvv": ("Digi- ja väestötietovirasto", "Digital and Population Data Services Agency"),
    "pirha": ("Pirkanmaan hyvinvointialue", "Pirkanmaa Wellbeing Services County"),
    "ulosotto": ("Ulosottolaitos", "National Enforcement Authority"),
    "tyomarkkinatori": ("KEHA-keskus: Työmarkkinatori", "KEHA Centre: Job Market Finland"),
    "ec": ("Euroopan komissio", "European Commission"),
    "tyodata": ("Työdata-palvelu", "Työdata service"),
    **{f"city-{key}": (f"{genitive} kaupunki, työllisyyspalvelut",
                       f"City of {name}, employment services") for key, genitive, name in CITIES},
}
PRODUCTS = (  # domain, name, Finnish title, English title, topic words that feed it
    ("Person", "JobApplicantProfile", "Työnhakijan profiili", "Job applicant profile",
     ("työnhakijaprofiilit", "suoritetut tutkinnot", "ammatit ja taidot")),
    ("Person", "BasicInformation", "Henkilön perustiedot", "Basic information of a person",
     ("henkilötiedot", "osoitteet ja kotitaloudet")),
    ("Employment", "JobSeekingStatus", "Työnhaun tilanne", "Job-seeking status",
     ("työllisyyspalvelujen asiakkuudet", "työllistymissuunnitelmat")),
    ("Education", "Qualifications", "Tutkinnot ja opinnot", "Qualifications and studies",
     ("suoritetut tutkinnot", "opiskeluoikeudet")),
    ("Benefits", "BenefitDecisions", "Etuuspäätökset", "Benefit decisions",
     ("etuuspäätökset", "työttömyysetuudet")),
    ("Employment", "ServiceNeeds", "Palvelutarpeen arvio", "Service need assessment",
     ("työnhakijoiden palvelutarpeet", "kuntoutuspäätökset")),
    ("Person", "ResidencePermitStatus", "Oleskeluluvan tilanne", "Residence permit status",
     ("oleskeluluvat", "työperusteiset oleskeluluvat")),
    ("Benefits", "RehabilitationSummary", "Kuntoutuksen yhteenveto", "Rehabilitation summary",
     ("kuntoutuspäätökset", "sairauspäivärahat", "lääkärinlausunnot")),
    ("Employment", "PaySubsidyEligibility", "Palkkatukikelpoisuus", "Pay subsidy eligibility",
     ("palkkatuetut työsuhteet", "työttömyysetuudet")),
    ("Person", "LanguageSkills", "Kielitaito", "Language skills",
     ("työnhakijaprofiilit", "suoritetut tutkinnot")),
)
MODELS = (
    ("tyokykyriski", "Työkykyriskin ennustemalli", "Work-ability risk forecast model",
     ("ennuste", "työkyky", "riski"), ("forecast", "work ability", "risk")),
    ("tyollistyminen", "Työllistymisen todennäköisyysmalli", "Employment probability model",
     ("ennuste", "työllistyminen"), ("forecast", "employment")),
    ("tyopaikkasuositus", "Työpaikkasuositusten järjestysmalli", "Job recommendation ranking model",
     ("suositus", "työpaikka", "täsmäytys"), ("recommendation", "job", "matching")),
    ("osaamissuositus", "Osaamisen täydentämisen suositusmalli",
     "Skill upgrade recommendation model",
     ("osaaminen", "koulutus", "suositus"), ("skills", "training", "recommendation")),
)
SERVICES = (
    ("sparql", "SPARQL-rajapinta", "SPARQL endpoint"),
    ("api", "Työdata-rajapinta", "Työdata API"),
    ("harvest", "Luettelon haravointirajapinta", "Catalogue harvesting endpoint"),
    ("esco-match", "Tekstin ESCO-täsmäytys", "Text to ESCO matching"),
)
TODAY = date(2026, 11, 1)


def generate_catalogue(items: int = 1000, seed: int = 1) -> Graph:
    """A catalogue graph with exactly ``items`` searchable items (at least 10)."""
    if items < 10:
        raise ValueError("the synthetic catalogue needs at least 10 items")
    rng = random.Random(seed)
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("dcatap", DCATAP), ("it6", IT6),
                       ("prov", PROV), ("dqv", DQV), ("foaf", FOAF), ("skos", SKOS)):
        graph.bind(prefix, ns)
    catalog = URIRef(BASE)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    _texts(graph, catalog, DCTERMS.title, "Työdata-luettelo", "Työdata catalogue")
    _texts(graph, catalog, DCTERMS.description,
           "Työdata-palvelun aineistot, datatuotteet ja mallit.",
           "Datasets, data products and models of the Työdata service.")
    graph.add((catalog, DCTERMS.publisher, URIRef(AGENT + "tyodata")))
    _labels(graph)

    n_series = max(3, items // 25)
    n_products = max(2, items // 12)
    n_models = max(1, items // 40)
    n_services = max(1, min(len(SERVICES) * 3, items // 100))
    n_extracts = items - n_series - 2 * n_products - n_models - n_services
    if n_extracts < 0:
        n_products = max(1, (items - n_series - n_models - n_services) // 2)
        n_extracts = items - n_series - 2 * n_products - n_models - n_services

    series = _series(graph, catalog, n_series)
    _extracts(graph, catalog, series, n_extracts, rng)
    products = _products(graph, catalog, series, n_products, rng)
    _models(graph, catalog, series, products, n_models, rng)
    _services(graph, catalog, series, n_services, rng)
    return graph


@dataclass(frozen=True)
class _Series:
    iri: URIRef
    source: Source
    topic: tuple[str, str, tuple[str, ...], tuple[str, ...]]
    title_fi: str
    title_en: str


def _series(graph: Graph, catalog: URIRef, count: int) -> list[_Series]:
    # Round robin over the sources (first topics of all, then second ones...), so that even
    # a small catalogue holds every source.
    depth = max(len(source.topics) for source in SOURCES)
    combos = [(source, source.topics[t]) for t in range(depth) for source in SOURCES
              if t < len(source.topics)]
    made: list[_Series] = []
    for i in range(count):
        source, topic = combos[i % len(combos)]
        round_ = i // len(combos)
        suffix = f"-{round_ + 1}" if round_ else ""
        slug = _slug(topic[1])
        iri = URIRef(f"{DATASET}{source.key}-{slug}{suffix}")
        title_fi = f"{source.genitive_fi} {topic[0]}" + (f" (osa {round_ + 1})" if round_ else "")
        title_en = f"{source.name_en} {topic[1]}" + (f" (part {round_ + 1})" if round_ else "")
        graph.add((iri, RDF.type, DCAT.DatasetSeries))
        graph.add((catalog, DCAT.dataset, iri))
        _texts(graph, iri, DCTERMS.title, title_fi, title_en)
        _texts(graph, iri, DCTERMS.description,
               f"{source.genitive_fi} rekisterin {topic[0]} kuukausittaisina poimintoina. "
               f"Henkilöt pseudonymisoituina, ammatit ja taidot ESCO-luokituksen mukaan.",
               f"{topic[1].capitalize()} from the {source.name_en} registry as monthly "
               f"extracts. Persons are pseudonymous; occupations and skills follow ESCO.")
        _describe(graph, iri, source, topic, TODAY)
        made.append(_Series(iri, source, topic, title_fi, title_en))
    return made


def _extracts(graph: Graph, catalog: URIRef, series: list[_Series], count: int,
              rng: random.Random) -> None:
    for i in range(count):
        parent = series[i % len(series)]
        month = i // len(series)
        months = TODAY.year * 12 + TODAY.month - 1 - month
        day = date(months // 12, months % 12 + 1, 1)
        iri = URIRef(f"{parent.iri}/{day.isoformat()}")
        rows = rng.randrange(2_000, 400_000)
        rejected = rng.randrange(0, rows // 200 + 1)
        graph.add((iri, RDF.type, DCAT.Dataset))
        graph.add((iri, DCAT.inSeries, parent.iri))
        graph.add((catalog, DCAT.dataset, iri))
        _texts(graph, iri, DCTERMS.title, f"{parent.title_fi}, poiminta {day.isoformat()}",
               f"{parent.title_en}, extract {day.isoformat()}")
        _texts(graph, iri, DCTERMS.description,
               f"Poiminta {day.isoformat()}: {rows} riviä luettu, {rejected} hylätty "
               f"tarkistuksissa.",
               f"Extract of {day.isoformat()}: {rows} rows read, {rejected} rejected by the "
               f"checks.")
        _describe(graph, iri, parent.source, parent.topic, day)
        distribution = URIRef(f"{iri}#csv")
        graph.add((iri, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.accessURL, URIRef(f"{iri}.ttl")))
        graph.add((distribution, DCTERMS.format, URIRef(EU + "file-type/CSV")))
        for metric, value in (("rowsRejected", rejected), ("rowsRead", rows)):
            measurement = URIRef(f"{iri}#{metric}")
            graph.add((iri, DQV.hasQualityMeasurement, measurement))
            graph.add((measurement, RDF.type, DQV.QualityMeasurement))
            graph.add((measurement, DQV.isMeasurementOf, URIRef(f"{BASE}/metric/{metric}")))
            graph.add((measurement, DQV.value, Literal(value)))


def _products(graph: Graph, catalog: URIRef, series: list[_Series], count: int,
              rng: random.Random) -> list[URIRef]:
    by_topic: dict[str, list[_Series]] = {}
    for s in series:
        by_topic.setdefault(s.topic[0], []).append(s)
    datasets: list[URIRef] = []
    for i in range(count):
        domain, name, title_fi, title_en, topics = PRODUCTS[i % len(PRODUCTS)]
        version = i // len(PRODUCTS)
        major, minor = 1 + version // 3, version % 3
        service = URIRef(f"{PRODUCT}{domain}/{name}_v{major}.{minor}")
        dataset = URIRef(f"{service}#dataset")
        label = f" {major}.{minor}"
        graph.add((service, RDF.type, DCAT.DataService))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((catalog, DCAT.service, service))
        graph.add((catalog, DCAT.dataset, dataset))
        graph.add((service, DCAT.servesDataset, dataset))
        graph.add((service, DCAT.endpointURL, URIRef(f"https://tyodata.fi/products/{domain}/"
                                                      f"{name}_v{major}.{minor}")))
        _texts(graph, service, DCTERMS.title, f"Datatuote: {title_fi}{label}",
               f"Data product: {title_en}{label}")
        _texts(graph, service, DCTERMS.description,
               f"{title_fi} henkilön suostumuksella tai lakiin perustuen; jokainen kutsu "
               f"kirjataan lokiin.",
               f"{title_en} with the person's consent or under a legal basis; every call is "
               f"audited.")
        _texts(graph, dataset, DCTERMS.title, f"{title_fi}: tiedot{label}",
               f"{title_en}: data{label}")
        _texts(graph, dataset, DCTERMS.description,
               f"Tiedot, jotka datatuote {title_fi.lower()} palauttaa.",
               f"The data the {title_en.lower()} product returns.")
        feeding = [s for topic in topics for s in by_topic.get(topic, [])] or series
        upstream = rng.sample(feeding, min(len(feeding), rng.randint(1, 3)))
        for s in upstream:
            graph.add((dataset, PROV.wasDerivedFrom, s.iri))
        first = upstream[0]
        for node in (service, dataset):
            _describe(graph, node, first.source, first.topic, TODAY, access="RESTRICTED",
                      extra_keywords=(("datatuote", "suostumus"), ("data product", "consent")))
        datasets.append(dataset)
    return datasets


def _models(graph: Graph, catalog: URIRef, series: list[_Series], products: list[URIRef],
            count: int, rng: random.Random) -> None:
    for i in range(count):
        key, title_fi, title_en, kw_fi, kw_en = MODELS[i % len(MODELS)]
        version = 1 + i // len(MODELS)
        iri = URIRef(f"{MODEL}{key}-v{version}")
        graph.add((iri, RDF.type, IT6.MachineLearningModel))
        graph.add((catalog, DCAT.resource, iri))
        _texts(graph, iri, DCTERMS.title, f"{title_fi}, versio {version}",
               f"{title_en}, version {version}")
        _texts(graph, iri, DCTERMS.description,
               f"{title_fi} tukee asiantuntijaa, ei päätä. Selitykset ja rajoitukset kuvattu.",
               f"The {title_en.lower()} supports a case worker and never decides. Explanations "
               f"and limitations are described.")
        for word in kw_fi:
            graph.add((iri, DCAT.keyword, Literal(word, lang="fi")))
        for word in kw_en:
            graph.add((iri, DCAT.keyword, Literal(word, lang="en")))
        graph.add((iri, DCAT.theme, URIRef(THEME + rng.choice(("SOCI", "HEAL", "ECON")))))
        graph.add((iri, DCTERMS.publisher, URIRef(AGENT + "tyodata")))
        graph.add((iri, DCTERMS.license, URIRef(LICENCE + "CC_BY_4_0")))
        graph.add((iri, DCTERMS.accessRights, URIRef(ACCESS + "PUBLIC")))
        graph.add((iri, DCTERMS.modified, Literal(TODAY, datatype=XSD.date)))
        for dataset in rng.sample(products, min(len(products), rng.randint(1, 2))):
            graph.add((iri, IT6.trainedOn, dataset))
        graph.add((iri, IT6.trainedOn, rng.choice(series).iri))


def _services(graph: Graph, catalog: URIRef, series: list[_Series], count: int,
              rng: random.Random) -> None:
    for i in range(count):
        key, title_fi, title_en = SERVICES[i % len(SERVICES)]
        suffix = f"-{i // len(SERVICES) + 1}" if i >= len(SERVICES) else ""
        iri = URIRef(f"{SERVICE}{key}{suffix}")
        graph.add((iri, RDF.type, DCAT.DataService))
        graph.add((catalog, DCAT.service, iri))
        _texts(graph, iri, DCTERMS.title, title_fi, title_en)
        _texts(graph, iri, DCTERMS.description,
               f"{title_fi}: Työdata-palvelun avoin rajapinta kehittäjille.",
               f"{title_en}: an open interface of the Työdata service for developers.")
        graph.add((iri, DCAT.endpointURL, URIRef(f"https://tyodata.fi/{key}")))
        graph.add((iri, DCAT.theme, URIRef(THEME + "GOVE")))
        graph.add((iri, DCTERMS.publisher, URIRef(AGENT + "tyodata")))
        graph.add((iri, DCTERMS.license, URIRef(LICENCE + "CC_BY_4_0")))
        graph.add((iri, DCTERMS.accessRights, URIRef(ACCESS + "PUBLIC")))
        graph.add((iri, DCTERMS.modified, Literal(TODAY, datatype=XSD.date)))
        for word_fi, word_en in (("rajapinta", "API"), ("avoin data", "open data")):
            graph.add((iri, DCAT.keyword, Literal(word_fi, lang="fi")))
            graph.add((iri, DCAT.keyword, Literal(word_en, lang="en")))
        for s in rng.sample(series, min(len(series), 3)):
            graph.add((iri, DCAT.servesDataset, s.iri))


def _describe(graph: Graph, iri: URIRef, source: Source,
              topic: tuple[str, str, tuple[str, ...], tuple[str, ...]], modified: date, *,
              access: str | None = None,
              extra_keywords: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> None:
    for word in (*topic[2], *extra_keywords[0]):
        graph.add((iri, DCAT.keyword, Literal(word, lang="fi")))
    for word in (*topic[3], *extra_keywords[1]):
        graph.add((iri, DCAT.keyword, Literal(word, lang="en")))
    for theme in source.themes:
        graph.add((iri, DCAT.theme, URIRef(THEME + theme)))
    for act in source.acts:
        graph.add((iri, DCATAP.applicableLegislation, URIRef(f"{FINLEX}{act}/alkup")))
    graph.add((iri, DCTERMS.publisher, URIRef(AGENT + source.publisher)))
    graph.add((iri, DCTERMS.license,
               URIRef(LICENCE + ("CC_BY_4_0" if source.personal else "CC0"))))
    access = access or ("NON_PUBLIC" if source.personal else "PUBLIC")
    graph.add((iri, DCTERMS.accessRights, URIRef(ACCESS + access)))
    graph.add((iri, DCTERMS.modified, Literal(modified, datatype=XSD.date)))


def _labels(graph: Graph) -> None:
    for code, (fi, en) in THEMES.items():
        _texts(graph, URIRef(THEME + code), SKOS.prefLabel, fi, en)
    for key, (fi, en) in AGENTS.items():
        agent = URIRef(AGENT + key)
        graph.add((agent, RDF.type, FOAF.Agent))
        _texts(graph, agent, FOAF.name, fi, en)
    for act, (fi, en) in ACTS.items():
        _texts(graph, URIRef(f"{FINLEX}{act}/alkup"), DCTERMS.title, fi, en)
    for code, (fi, en) in LICENCES.items():
        _texts(graph, URIRef(LICENCE + code), DCTERMS.title, fi, en)


def _texts(graph: Graph, iri: URIRef, prop: URIRef, fi: str, en: str) -> None:
    graph.add((iri, prop, Literal(fi, lang="fi")))
    graph.add((iri, prop, Literal(en, lang="en")))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")
