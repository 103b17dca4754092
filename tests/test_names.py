"""Name screening: normalisation, each kind of variant, evidence, explanations, both directions.

Entries are built by hand (the importers have their own tests); the labelled-set benchmark
(``benchmarks/name_variants.py``) measures quality on the real lists.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.errors import InvalidInput
from vigil.screening.entries import Identifier, NameEntry, SubjectKind
from vigil.screening.names import (
    DEFAULT_THRESHOLD,
    Customer,
    CustomerIndex,
    Fact,
    NameIndex,
    NameMatch,
    NameQuery,
    Verdict,
    normalise,
)
from vigil.screening.names.align import align, bound, direct_pairs
from vigil.screening.names.normalise import Role, TokenClass, parse_listed, words
from vigil.screening.names.similarity import Columns, similarities, similarity
from vigil.screening.names.tokens import join, tok


def person(
    uid: str,
    name: str,
    *aliases: str,
    birth_dates: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    identifiers: tuple[Identifier, ...] = (),
) -> NameEntry:
    return NameEntry(
        "test",
        f"test:{uid}",
        SubjectKind.PERSON,
        name,
        aliases=aliases,
        birth_dates=birth_dates,
        countries=countries,
        identifiers=identifiers,
    )


def organisation(uid: str, name: str, *aliases: str) -> NameEntry:
    return NameEntry("test", f"test:{uid}", SubjectKind.ORGANISATION, name, aliases=aliases)


ENTRIES = [
    person(
        "haniya",
        "Ismail Abdul Salah HANIYA",
        "HANIYA, Ismail Abdul Salah",
        birth_dates=("1962",),
        countries=("PS",),
    ),
    person("saddam", "SADDAM HUSSEIN AL-TIKRITI", birth_dates=("1937-04-28",), countries=("IQ",)),
    person("putin", "Vladimir Vladimirovich PUTIN", birth_dates=("1952-10-07",), countries=("RU",)),
    person("yusuf", "Mohammed Youssef AL-HASSAN", countries=("SY",)),
    person("kim", "KIM Jong Un"),
    person("cruz", "Juan M. de la CRUZ", identifiers=(Identifier("passport", "A1234567", "MX"),)),
    person("xi", "XI Jinping"),
    person("fawaz", "Khalid Abd al-Rahman AL-FAWWAZ"),
    person("ali", "Mohammed ALI"),
    person("ghul", "Hassan GHUL"),
    organisation("bank", "BANCO NACIONAL DE CUBA", "NATIONAL BANK OF CUBA"),
    organisation("petro", "BANDAR IMAM PETROCHEMICAL COMPANY"),
    organisation("anglo", "ANGLO-CARIBBEAN CO., LTD."),
    NameEntry("test", "test:vessel", SubjectKind.VESSEL, "HANIYA STAR"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(ENTRIES)


def best(index: NameIndex, query: NameQuery | str) -> NameMatch | None:
    found = index.search(query if isinstance(query, NameQuery) else NameQuery(query), threshold=0.0)
    return found[0] if found else None


def score_of(index: NameIndex, query: NameQuery | str, entry_id: str) -> float:
    q = query if isinstance(query, NameQuery) else NameQuery(query)
    return next((m.score for m in index.search(q, limit=100, threshold=0.0) if m.entry_id == entry_id), 0.0)


# -- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Владимир Путин", "vladimir putin"),  # Cyrillic
        ("Αλέξης Τσίπρας", "alexis tsipras"),  # Greek
        ("习近平", "xi jinping"),  # Han: family name, then the given name joined
        ("김정은", "gim jeongeun"),  # Hangul, same convention
        ("José MÜLLER-Lüdenscheidt", "jose muller ludenscheidt"),  # accents, hyphen
        ("Ærøskøbing Straße ﬁsh", "aeroskobing strasse fish"),  # ligatures, sharp s
        ("\uff2a\uff2f\uff28\uff2e\u3000\uff33\uff2d\uff29\uff34\uff28", "john smith"),  # full-width
        ("O'Brien, Seán", "obrien sean"),  # apostrophes join, commas separate
        ("Mr. Smith 😀 Ltd.", "mr smith ltd"),  # symbols are no words
    ],
)
def test_normalise_scripts_and_punctuation(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_arabic_script_is_transliterated_and_marked() -> None:
    found = words("صدام حسين التكريتي")
    assert [w.text for w in found] == ["sdm", "hsyn", "ltkryty"]
    assert all(w.abjad for w in found)
    assert not any(w.abjad for w in words("Saddam Hussein"))


def test_token_classes() -> None:
    classes = {w.text: w.cls for w in words("Sheikh Abu Bakr al-Baghdadi Trading LLC")}
    assert classes["sheikh"] is TokenClass.TITLE
    assert classes["abu"] is TokenClass.PARTICLE
    assert classes["al"] is TokenClass.PARTICLE
    assert classes["llc"] is TokenClass.LEGAL
    assert classes["baghdadi"] is TokenClass.NAME


def test_roles_from_comma_capitals_and_position() -> None:
    comma = parse_listed("HANIYA, Ismail Abdul Salah", person=True)
    assert [w.text for w in comma.words] == ["ismail", "abdul", "salah", "haniya"]
    assert comma.roles == (Role.GIVEN, Role.MIDDLE, Role.MIDDLE, Role.SURNAME)
    capitals = parse_listed("Juan M. de la CRUZ", person=True)
    assert dict(zip((w.text for w in capitals.words), capitals.roles, strict=True))["cruz"] is Role.SURNAME
    assert capitals.roles[0] is Role.GIVEN
    plain = parse_listed("Saddam Hussein Tikriti", person=True)
    assert plain.roles == (Role.GIVEN, Role.MIDDLE, Role.SURNAME)
    company = parse_listed("CIMEX, S.A.", person=False)
    assert set(company.roles) == {Role.NAME}
    # "PAO" is a Russian legal form in a company's name and a surname in a person's.
    assert parse_listed("Yu Liang PAO", person=True).words[-1].cls is TokenClass.NAME
    assert parse_listed("GAZPROM PAO", person=False).words[-1].cls is TokenClass.LEGAL


# -- each kind of variant finds its entry -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("صدام حسين التكريتي", "test:saddam"),  # Arabic script
        ("Владимир Владимирович Путин", "test:putin"),  # Cyrillic
        ("习近平", "test:xi"),  # Chinese characters
        ("خالد عبد الرحمن الفواز", "test:fawaz"),  # Arabic, article attached, dropped middle
        ("Muhammad Yusuf al-Hasan", "test:yusuf"),  # spelling variants
        ("Haniya Ismail Abdul Salah", "test:haniya"),  # reordered
        ("Ismial Abdul Salah Haniya", "test:haniya"),  # one typo
        ("Vladmir Vladimirovitch Putni", "test:putin"),  # several typos
        ("Ismail Haniya", "test:haniya"),  # middle names dropped
        ("I. A. S. Haniya", "test:haniya"),  # initials
        ("J. de la Cruz", "test:cruz"),  # initial and particles
        ("Kim Jong-un", "test:kim"),  # hyphenated given name
        ("Khalid Abdulrahman Alfawwaz", "test:fawaz"),  # words written together
        ("Banco Nacional de Cuba S.A.", "test:bank"),  # legal form added
        ("Bandar Imam Petrochemical Co", "test:petro"),  # legal form abbreviated
        ("BANDAR IMAM PETROCHEMICCAL COMAPNY", "test:petro"),  # typos in a legal form
    ],
)
def test_variant_finds_entry(index: NameIndex, query: str, entry_id: str) -> None:
    found = index.search(NameQuery(query))
    assert found, f"{query!r} found nothing"
    assert found[0].entry_id == entry_id, found[0].explanation


@pytest.mark.parametrize(
    "query",
    [
        "Ahmed Haniya",  # same surname, another given name
        "Ismail Mohammed",  # same given name, another surname
        "Husayn Kumar",  # a given name that only resembles a surname
        "Vladimir Smirnov",
        "Mahmoud Ali Hassan",  # common tokens, no listed party
        "Maria Garcia Lopez",
        "Banco Nacional de Chile",
        "Anglo Pacific Co Ltd",
    ],
)
def test_look_alikes_stay_under_threshold(index: NameIndex, query: str) -> None:
    assert index.search(NameQuery(query)) == [], [m.explanation for m in index.search(NameQuery(query))]


def test_score_rises_with_closeness(index: NameIndex) -> None:
    exact = score_of(index, "Ismail Abdul Salah Haniya", "test:haniya")
    dropped = score_of(index, "Ismail Haniya", "test:haniya")
    typo = score_of(index, "Ismial Haniya", "test:haniya")
    other = score_of(index, "Ahmed Haniya", "test:haniya")
    assert exact == 100.0
    assert exact > dropped > typo > other


def test_missing_surname_costs_more_than_missing_given_name(index: NameIndex) -> None:
    assert score_of(index, "Vladimir Putin", "test:putin") > score_of(
        index, "Vladimir Vladimirovich", "test:putin"
    )
    assert score_of(index, "Vladimirovich Putin", "test:putin") > score_of(
        index, "Vladimir Vladimirovich", "test:putin"
    )


# -- evidence -----------------------------------------------------------------------------------


def test_birth_date_evidence(index: NameIndex) -> None:
    name = "Ismail Haniya"
    plain = score_of(index, name, "test:haniya")
    agrees = best(index, NameQuery(name, birth_date="1962-05-01"))
    differs = best(index, NameQuery(name, birth_date="1980"))
    close = best(index, NameQuery(name, birth_date="1963"))
    assert agrees is not None and differs is not None and close is not None
    assert agrees.score > plain > close.score > differs.score
    assert "birth date 1962-05-01 is compatible with listed 1962" in agrees.explanation
    assert [(e.fact, e.verdict) for e in differs.evidence] == [(Fact.BIRTH_DATE, Verdict.DIFFERS)]
    assert "birth year 1980 differs from listed 1962" in differs.explanation


def test_full_birth_date_agreeing_beats_the_year(index: NameIndex) -> None:
    full = score_of(index, NameQuery("Saddam Hussein", birth_date="1937-04-28"), "test:saddam")
    year = score_of(index, NameQuery("Saddam Hussein", birth_date="1937"), "test:saddam")
    other_day = score_of(index, NameQuery("Saddam Hussein", birth_date="1937-04-29"), "test:saddam")
    plain = score_of(index, "Saddam Hussein", "test:saddam")
    assert full > year > plain > other_day


def test_country_evidence(index: NameIndex) -> None:
    plain = score_of(index, "Vladimir Putin", "test:putin")
    same = best(index, NameQuery("Vladimir Putin", countries=("RU",)))
    other = best(index, NameQuery("Vladimir Putin", countries=("fr",)))
    assert same is not None and other is not None
    assert same.score > plain > other.score
    assert "country RU agrees" in same.explanation
    assert "country FR differs from listed RU" in other.explanation


def test_equal_identifier_is_decisive(index: NameIndex) -> None:
    query = NameQuery("Jon Smith", identifiers=(Identifier("passport", "a123-4567"),))
    found = index.search(query)
    assert [m.entry_id for m in found] == ["test:cruz"]
    assert found[0].score == 100.0
    assert any(e.decisive for e in found[0].evidence)
    other = NameQuery("Juan Cruz", identifiers=(Identifier("passport", "B7654321", "MX"),))
    assert score_of(index, other, "test:cruz") < score_of(index, "Juan Cruz", "test:cruz")


def test_kind_mismatch_lowers(index: NameIndex) -> None:
    person_query = score_of(index, NameQuery("Haniya Star", kind=SubjectKind.PERSON), "test:vessel")
    vessel_query = score_of(index, NameQuery("Haniya Star", kind=SubjectKind.VESSEL), "test:vessel")
    assert vessel_query == 100.0
    assert person_query == 75.0


# -- explanations -------------------------------------------------------------------------------


def test_explanation_says_what_matched_and_what_did_not(index: NameIndex) -> None:
    query = NameQuery("Mohamad Haniya Smith", kind=SubjectKind.PERSON)
    found = next(m for m in index.search(query, threshold=0.0) if m.entry_id == "test:haniya")
    text = found.explanation
    assert "surname 'haniya' = 'haniya'" in text
    assert "given name 'ismail' missing from the query" in text
    assert "middle name 'abdul' missing from the query" in text
    assert "'smith' in the query is not in the listed name" in text
    spelled = best(index, NameQuery("Mohamad Yousef Al-Hassan"))
    assert spelled is not None
    assert any(line.startswith("given name 'mohamad' ~ 'mohammed' (0.9") for line in spelled.explanation)
    pairs = {(p.query, p.listed) for p in spelled.pairs}
    assert ("mohamad", "mohammed") in pairs


def test_match_serialises_to_json(index: NameIndex) -> None:
    found = best(index, NameQuery("Ismail Haniya", birth_date="1962"))
    assert found is not None
    data = json.loads(json.dumps(found.to_dict()))
    assert data["entry_id"] == "test:haniya"
    assert data["evidence"][0]["fact"] == "birth_date"
    assert {p["role"] for p in data["pairs"]} >= {"given name", "surname"}
    assert data["explanation"][0].startswith("alias") or data["explanation"][0].startswith("name")


# -- invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "12345", "--- .", "😀"])
def test_names_without_letters_are_refused(index: NameIndex, name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        index.search(NameQuery(name))
    assert raised.value.field == "name"


def test_bad_facts_are_refused(index: NameIndex) -> None:
    with pytest.raises(InvalidInput) as raised:
        index.search(NameQuery("Ismail Haniya", birth_date="15/03/1965"))
    assert raised.value.field == "birth_date"
    with pytest.raises(InvalidInput) as raised:
        index.search(NameQuery("Ismail Haniya", countries=("Syria",)))
    assert raised.value.field == "countries"
    with pytest.raises(InvalidInput) as raised:
        CustomerIndex.build([Customer("c1", "  ")], index.scorer)
    assert raised.value.field == "name"
    assert "c1" in raised.value.message


def test_listed_names_without_letters_are_skipped() -> None:
    entry = NameEntry("test", "test:odd", SubjectKind.ORGANISATION, "ACME TRADING", aliases=("123", "-"))
    built = NameIndex.build([entry])
    assert built.name_count == 1
    assert NameIndex.build([]).search(NameQuery("Acme")) == []


# -- the index against the exhaustive reference, and both directions ----------------------------


QUERIES = [
    "Ismail Haniyeh",
    "Saddam Husein",
    "Muhammad Ali",
    "Vladimir Putin",
    "Mohammed Ali Hassan",
    "J. Cruz",
    "Banco de Cuba",
    "Hassan Ghoul",
    "صدام حسين",
    "Kim Jong Il",
]


@pytest.mark.parametrize("query", QUERIES)
def test_index_finds_what_the_exhaustive_scan_finds(index: NameIndex, query: str) -> None:
    fast = index.search(NameQuery(query), limit=50, threshold=50.0)
    full = index.search_exhaustive(NameQuery(query), limit=50, threshold=50.0)
    assert [(m.entry_id, m.score) for m in fast] == [(m.entry_id, m.score) for m in full]


def test_search_and_rescreening_agree(index: NameIndex) -> None:
    names = [*QUERIES, "Ismail Abdul Salah Haniya", "I. Haniya", "Mohamad Yousef", "Hasan Gul", "Jinping Xi"]
    customers = [
        Customer(
            f"c{i}", name, birth_date="1962" if i % 3 == 0 else None, country="PS" if i % 4 == 0 else None
        )
        for i, name in enumerate(names)
    ]
    rescreen = CustomerIndex.build(customers, index.scorer)
    by_search = {}
    for c in customers:
        query = NameQuery(c.name, birth_date=c.birth_date, countries=(c.country,) if c.country else ())
        for m in index.search(query, limit=100, threshold=60.0):
            by_search[(c.customer_id, m.entry_id)] = m.score
    by_entry = {}
    for entry in ENTRIES:
        for hit in rescreen.affected(entry, threshold=60.0):
            by_entry[(hit.customer_id, entry.entry_id)] = hit.score
    assert len(by_search) >= 10
    assert by_search == by_entry


def test_rescreening_by_identifier_and_new_weights(index: NameIndex) -> None:
    customers = [
        Customer("x", "Jon Smith", identifiers=(Identifier("passport", "A1234567"),)),
        Customer("y", "Ali"),
    ]
    rescreen = CustomerIndex.build(customers, index.scorer)
    cruz = next(e for e in ENTRIES if e.entry_id == "test:cruz")
    assert [(m.customer_id, m.score) for m in rescreen.affected(cruz)] == [("x", 100.0)]
    ali = next(e for e in ENTRIES if e.entry_id == "test:ali")
    before = rescreen.affected(ali, threshold=0.0)
    # A new list version where "ali" is common changes the weights, and so the scores.
    crowded = NameIndex.build([*ENTRIES, *(person(f"a{i}", f"Ali X{i}") for i in range(30))])
    rescreen.use(crowded.scorer)
    after = rescreen.affected(ali, threshold=0.0)
    assert [m.customer_id for m in before] == [m.customer_id for m in after] == ["y"]
    assert after[0].score != before[0].score
    assert after[0].score == next(
        m.score for m in crowded.search(NameQuery("Ali"), threshold=0.0) if m.entry_id == "test:ali"
    )


# -- properties ---------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "mohammed",
        "muhamad",
        "ali",
        "al",
        "abd",
        "abdul",
        "rahman",
        "hassan",
        "husain",
        "j",
        "x",
        "ibn",
        "tikriti",
        "haniya",
        "ltd",
        "co",
        "juan",
        "cruz",
        "de",
        "la",
        "محمد",
        "علي",
        "Путин",
        "习近平",
        "Ømar",
        "o'neil",
    ]
)
NAMES = st.lists(PIECES, min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=150, deadline=None)
@given(NAMES, st.randoms(use_true_random=False))
def test_token_order_does_not_change_the_score(pieces: list[str], rng: random.Random) -> None:
    built = NameIndex.build(ENTRIES)
    shuffled = list(pieces)
    rng.shuffle(shuffled)
    probe_a = built.scorer.probe(" ".join(pieces))
    probe_b = built.scorer.probe(" ".join(shuffled))
    for entry in built.entries:
        a = built.scorer.score_direct(probe_a, entry)
        b = built.scorer.score_direct(probe_b, entry)
        assert a.score == b.score, (pieces, shuffled, entry.entry.entry_id, a.explanation, b.explanation)


@settings(max_examples=150, deadline=None)
@given(
    NAMES,
    st.one_of(st.none(), st.sampled_from(["1937", "1962-05", "1937-04-28", "1990-01-01"])),
    st.lists(st.sampled_from(["IQ", "PS", "US", "RU"]), max_size=2),
    st.one_of(st.none(), st.sampled_from(list(SubjectKind))),
)
def test_scores_stay_between_0_and_100(
    pieces: list[str], birth: str | None, countries: list[str], kind: SubjectKind | None
) -> None:
    built = NameIndex.build(ENTRIES)
    query = NameQuery(" ".join(pieces), birth_date=birth, countries=tuple(countries), kind=kind)
    for match in built.search(query, limit=100, threshold=0.0):
        assert 0.0 <= match.score <= 100.0
        assert 0.0 <= match.name_score <= 100.0


def test_bulk_similarity_equals_one_by_one() -> None:
    texts = "Mohammed Muhamad AHMED ltd Limited co J. John X 1234 Ali al Abd Abdul Omar Kumar Usama"
    scripts = "الجليل محمد صدام أسامة إياد ثاقب التكريتي Путин 习近平"
    toks = [tok(w) for w in words(f"{texts} {scripts} Saddam Jalil Husayn Hussein Iyad Saqib Tikriti")]
    toks += [j for a in toks[:6] for b in toks[10:16] if (j := join(a, b)) is not None]
    for a in toks:
        bulk = similarities(a, Columns.of(toks)).tolist()
        assert bulk == [similarity(a, b) for b in toks]
        assert bulk == [similarity(b, a) for b in toks]  # symmetric


@settings(max_examples=150, deadline=None)
@given(NAMES)
def test_bound_is_never_under_the_score(pieces: list[str]) -> None:
    built = NameIndex.build(ENTRIES)
    probe = built.scorer.probe(" ".join(pieces))
    for entry in built.entries:
        for name in entry.names:
            pairs = direct_pairs(probe.toks, name)
            score = align(probe.toks, probe.weights, name, list(pairs)).score
            assert bound(probe.toks, probe.weights, name, pairs) >= score - 1e-12


def test_a_one_word_listed_person_name_does_not_carry_a_fuller_query() -> None:
    """Seen on simulated customers: the UN alias "HUA" matched every "Hoa ..." name at review level."""
    entry = NameEntry("un", "un:1", SubjectKind.PERSON, "Zhang Wei Hua", aliases=("HUA",))
    index = NameIndex.build([entry, NameEntry("un", "un:2", SubjectKind.PERSON, "Pham Van Dong")])
    assert index.search(NameQuery("Hoa Le"), threshold=DEFAULT_THRESHOLD) == []
    (weak,) = index.search(NameQuery("Hoa Le"), threshold=0)
    assert any("single word" in line for line in weak.explanation)
    (exact,) = index.search(NameQuery("Hua"), threshold=DEFAULT_THRESHOLD)
    assert exact.score == 100.0
