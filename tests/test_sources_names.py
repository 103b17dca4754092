"""Sanctioned-name importers: OFAC SDN and consolidated CSV, the UN XML, OpenSanctions (Senzing JSON
and FtM JSON lines) on the real files in ``../shared``, then on small broken inputs: a bad row is
reported (file, line, field) and skipped, a broken file is refused naming the file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import LISTS
from vigil.errors import InvalidListFile
from vigil.screening.entries import Identifier, NameEntry, Parsed, RowError, SubjectKind
from vigil.screening.sources import names_opensanctions, names_un
from vigil.screening.sources.countries import CountryResolver, from_code_or_name, from_name
from vigil.screening.sources.names_build import natural_order
from vigil.screening.sources.names_dates import iso_birth_date, text_birth_dates
from vigil.screening.sources.names_ofac import CONSOLIDATED, SDN

NAMES = LISTS / "sanctions_names"
if not NAMES.is_dir():  # pragma: no cover - the CI layout always has ../shared
    pytest.fail(f"the shared reference data is missing: expected {NAMES}", pytrace=False)

Result = tuple[Parsed[NameEntry], CountryResolver]


def read(directory: Path, names: Iterable[str]) -> dict[str, str]:
    return {
        name: (directory / name).read_text(encoding="utf-8") for name in names if (directory / name).exists()
    }


def by_id(parsed: Parsed[NameEntry]) -> dict[str, NameEntry]:
    return {entry.entry_id: entry for entry in parsed.entries}


@pytest.fixture(scope="module")
def sdn() -> Result:
    countries = CountryResolver()
    return SDN.parse(read(NAMES, SDN.FILES), countries), countries


@pytest.fixture(scope="module")
def un() -> Result:
    countries = CountryResolver()
    return names_un.parse(read(NAMES, ["UN_consolidated.xml"]), countries), countries


# --- OFAC: the real snapshots -------------------------------------------------------------------


def test_sdn_snapshot_imports_everything_but_comments_of_entries_it_lacks(sdn: Result) -> None:
    # watchman's test sdn.csv is a cut of the list while its sdn_comments.csv continues the remarks
    # of a fuller one: these ten ent_nums are genuinely absent from sdn.csv, so their rows are errors.
    parsed, countries = sdn
    assert Counter(e.kind for e in parsed.entries) == {
        SubjectKind.PERSON: 3845,
        SubjectKind.ORGANISATION: 2994,
        SubjectKind.VESSEL: 323,
        SubjectKind.AIRCRAFT: 217,
    }
    dangling = [17018, 27307, 28263, 28264, 33854, 36216, 39796, 42496, 44718, 45430]
    assert parsed.errors == tuple(
        RowError("sdn_comments.csv", line, f"ent_num {uid} is not in the list", "ent_num")
        for line, uid in enumerate(dangling, start=4)
    )
    # Cities written where a country belongs, a disputed region, a dissolved state: left unmapped.
    assert set(countries.unmapped) == {
        "Medellin", "Cali", "Manizales", "Bogota", "Uraba", "Aburra Sur",
        "Region: Kafia Kingi", "Netherlands Antilles",
    }  # fmt: skip


def test_bench_snapshot_parses_cleanly_and_differs_from_the_test_snapshot(sdn: Result) -> None:
    bench = SDN.parse(read(NAMES / "bench", SDN.FILES))
    assert len(bench.entries) == 8976
    assert bench.errors == ()
    old, new = by_id(sdn[0]), by_id(bench)
    assert len(new.keys() - old.keys()) > 0
    changed = [uid for uid in old.keys() & new.keys() if old[uid].digest() != new[uid].digest()]
    assert len(changed) > 0


def test_consolidated_list_parses_cleanly_with_its_comments() -> None:
    countries = CountryResolver()
    parsed = CONSOLIDATED.parse(read(NAMES, CONSOLIDATED.FILES), countries)
    assert (len(parsed.entries), parsed.errors, countries.unmapped) == (442, (), Counter())
    entries = by_id(parsed)
    assert entries["ofac_consolidated:9647"] == NameEntry(
        source="ofac_consolidated",
        entry_id="ofac_consolidated:9647",
        kind=SubjectKind.PERSON,
        name="Mahmoud Khaled ZAHHAR",
        aliases=("ZAHHAR, Mahmoud Khaled", "Mahmoud Khaled AL ZAHAR"),
        birth_dates=("1945",),
        countries=("PS",),  # "nationality Palestinian"
        programs=("SDGT", "NS-PLC"),
        remarks="DOB 1945; POB Gaza Strip; nationality Palestinian; Gender Male; Secondary sanctions risk: "
        "section 1(b) of Executive Order 13224, as amended by Executive Order 13886; a.k.a. 'ZAHAR, "
        "Mahmoud'; a.k.a. 'AL-ZAHAR, Mahmoud'; Linked To: HAMAS.",
    )
    # The tax id and registration number are only in cons_comments.csv, after a cut mid-word.
    gazprombank = entries["ofac_consolidated:17016"]
    assert "the 'Effective Date (EO 14024 Directive)' associated" in (gazprombank.remarks or "")
    assert gazprombank.identifiers == (
        Identifier("swift_bic", "GAZPRUMM"),
        Identifier("tax_id", "7744001497", "RU"),
        Identifier("lei", "253400WSS48YWMBUA688"),
        Identifier("registration", "1027700167110", "RU"),
    )


def test_an_individual_with_dates_nationality_documents_and_aliases(sdn: Result) -> None:
    assert by_id(sdn[0])["ofac_sdn:10692"] == NameEntry(
        source="ofac_sdn",
        entry_id="ofac_sdn:10692",
        kind=SubjectKind.PERSON,
        name="Mahmoud Mohammad Ahmed BAHAZIQ",
        # The list's own "LAST, First" form, then alt.csv in natural order; the weak a.k.a.s of the
        # remarks ('SHAYKH SAHIB') are not names to screen against.
        aliases=(
            "BAHAZIQ, Mahmoud Mohammad Ahmed",
            "Mahmoud BAHAZIQ",
            "Mahmud BAHADHIQ",
            "Mahmud Muhammad Ahmad BAHADHIQ",
        ),
        birth_dates=("1943-08-17", "1943", "1944", "1944-06-21"),
        countries=("SA",),
        identifiers=(
            Identifier("passport", "C284181", "SA"),
            Identifier("national_id", "1004860324", "SA"),
            Identifier("registration", "4-6032-0048-1", "SA"),
        ),
        programs=("SDGT",),
        remarks="DOB 17 Aug 1943; alt. DOB 1943; alt. DOB 1944; alt. DOB 21 Jun 1944; POB India; nationality "
        "Saudi Arabia; citizen Saudi Arabia; Passport C284181 (Saudi Arabia) issued 12 Aug 2000 expires 19 "
        "Jun 2005; National ID No. 1004860324 (Saudi Arabia); Registration ID 4-6032-0048-1 (Saudi "
        "Arabia); a.k.a. 'ABU 'ABD AL-'AZIZ'; a.k.a. 'ABU ABDUL AZIZ'; a.k.a. 'SHAYKH SAHIB'.",
    )


def test_ofac_house_spellings_ranges_and_circa(sdn: Result) -> None:
    entries = by_id(sdn[0])
    barros = entries["ofac_sdn:16713"]  # "(Cabo Verde. Previously Cape Verde.)", "citizen Guinea-Bissau"
    assert barros.countries == ("CV", "GW")
    assert barros.identifiers == (
        Identifier("passport", "I066302", "CV"),
        Identifier("passport", "CA0120780", "GW"),
        Identifier("national_id", "16128971", "CV"),
    )
    assert entries["ofac_sdn:15496"].birth_dates == ("1929", "1930")  # DOB 1929 to 1930
    assert entries["ofac_sdn:7846"].birth_dates == ("1957",)  # DOB circa 1957


def test_a_vessel_an_entity_and_an_aircraft(sdn: Result) -> None:
    entries = by_id(sdn[0])
    vessel = entries["ofac_sdn:15036"]
    assert (vessel.kind, vessel.name, vessel.aliases) == (
        SubjectKind.VESSEL,
        "ARTAVIL",
        ("ABADAN", "ALPHA", "SHONA"),
    )
    assert (vessel.countries, vessel.programs, vessel.birth_dates) == (("IR",), ("IRAN",), ())  # flag Iran
    assert vessel.identifiers == (
        Identifier("call_sign", "T2EU4"),
        Identifier("imo", "9187629"),
        Identifier("mmsi", "572469210"),
    )
    assert entries["ofac_sdn:8244"] == NameEntry(
        source="ofac_sdn",
        entry_id="ofac_sdn:8244",
        kind=SubjectKind.ORGANISATION,
        name="AERO CONTINENTE S.A",
        aliases=(
            "AEROCONTINENTE S.A.",
            "AERO CONTINENT S.A.",
            "NUEVO CONTINENTE S.A.",
            "NUEVOCONTINENTE S.A.",
            "WWW.AEROCONTINENTE.COM",
            "WWW.AEROCONTINENTE.COM.PE",
            "WWW.NUEVOCONTINENTE.COM.PE",
        ),
        countries=("PE", "AR", "EC", "CL", "DO", "VE", "MX", "CO", "US"),  # from add.csv
        identifiers=(
            Identifier("tax_id", "8300720300", "CO"),
            Identifier("tax_id", "55-2197267"),
            Identifier("tax_id", "20108363101", "PE"),
            Identifier("registration", "F01000003035", "US"),
        ),
        programs=("SDNTK",),
        remarks="NIT # 8300720300 (Colombia); US FEIN 55-2197267; RUC # 20108363101 (Peru); Business "
        "Registration Document # F01000003035 (United States).",
    )
    aircraft = entries["ofac_sdn:15431"]
    assert (aircraft.kind, aircraft.name, aircraft.aliases) == (SubjectKind.AIRCRAFT, "EP-GOM", ())
    assert aircraft.identifiers == (
        Identifier("aircraft_serial", "8401"),
        Identifier("aircraft_serial", "1023409321"),
    )


def test_sdn_comments_continue_the_remarks_where_ofac_cut_them(sdn: Result) -> None:
    remarks = by_id(sdn[0])["ofac_sdn:12300"].remarks or ""
    assert "Linked To: PROMO RAIZ S.A.S.; Linked To: RED MUNDIAL INMOBILIARIA" in remarks
    assert remarks.endswith("Linked To: R D I S.A.")


# --- UN ------------------------------------------------------------------------------------------


def test_un_list_parses_cleanly(un: Result) -> None:
    parsed, countries = un
    assert Counter(e.kind for e in parsed.entries) == {SubjectKind.PERSON: 730, SubjectKind.ORGANISATION: 273}
    assert parsed.errors == ()
    assert countries.unmapped == Counter({"former Soviet Union": 1})


def test_un_original_script_names_arrive_as_aliases(un: Result) -> None:
    root = ET.parse(NAMES / "UN_consolidated.xml").getroot()
    originals = {
        f"un:{item.findtext('DATAID')}": " ".join(script.split())
        for item in root.iter()
        if item.tag in ("INDIVIDUAL", "ENTITY")
        and (script := item.findtext("NAME_ORIGINAL_SCRIPT", "").strip())
    }
    entries = by_id(un[0])
    assert len(originals) > 300
    # Once the "original script" is the Latin name itself (JAMAAH ANSHARUT DAULAH): no alias then.
    assert all(script in entries[uid].names for uid, script in originals.items())
    assert sum(script in entries[uid].aliases for uid, script in originals.items()) == len(originals) - 1


def test_un_individual_and_entity(un: Result) -> None:
    entries = by_id(un[0])
    amdouni = entries["un:111734"]
    assert replace(amdouni, remarks=None) == NameEntry(
        source="un",
        entry_id="un:111734",
        kind=SubjectKind.PERSON,
        name="MEHREZ BEN MAHMOUD BEN SASSI AL-AMDOUNI",
        # "Abu Thale" is of QUALITY Low: left out. "Fabio Fusco" is given three times.
        aliases=(
            "محرز بن محمود بن ساسي العمدوني",
            "Fabio Fusco",
            "Mohamed Hassan",
            "Meherez Hamdouni",
            "Amdouni Mehrez ben Tah",
            "Meherez ben Ahdoud ben Amdouni",
        ),
        birth_dates=("1969-12-18", "1968-05-25", "1968-12-18", "1969-07-14"),  # own, then its aliases'
        countries=("TN", "IT"),  # nationality, then address
        identifiers=(Identifier("passport", "G737411", "TN"), Identifier("un_reference", "QDi.092")),
        programs=("Al-Qaida",),
    )
    remarks = amdouni.remarks or ""  # COMMENTS1, whitespace collapsed
    assert remarks.startswith("Father\u2019s name is Mahmoud ben Sasi. Mother\u2019s name is Maryam")
    assert remarks.endswith(
        "Special Notice web link:https://www.interpol.int/en/How-we-work/Notices/View-UN-Notices-Individuals"
    )
    ntaganda = next(e for e in un[0].entries if "Bosco Ntaganda" in e.aliases)
    assert ntaganda.birth_dates == ("1973", "1974")  # BETWEEN 1973 and 1974
    assert "Terminator" not in ntaganda.aliases
    adf = entries["un:6908402"]
    assert (adf.kind, adf.name, adf.countries) == (SubjectKind.ORGANISATION, "ADF", ("CD",))
    assert adf.aliases == (
        "Allied Democratic Forces",
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l\u2019Ouganda",
        "ADF/NALU",
        "NALU",
    )


# --- OpenSanctions -------------------------------------------------------------------------------


def test_opensanctions_senzing_files() -> None:
    files = {
        f"opensanctions/{p.name}": p.read_text(encoding="utf-8") for p in (NAMES / "opensanctions").iterdir()
    }
    parsed = names_opensanctions.parse(files)
    assert (len(parsed.entries), parsed.errors) == (1320, ())  # 1317 people + 3 from the JSON array
    entries = by_id(parsed)
    assert entries["opensanctions:Q123456"] == NameEntry(
        source="opensanctions",
        entry_id="opensanctions:Q123456",
        kind=SubjectKind.PERSON,
        name="John Smith",
        birth_dates=("1965-03-15",),
        countries=("US",),  # NATIONALITY "US" and ADDR_COUNTRY "United States"
    )
    assert entries["opensanctions:Q345678"].kind is SubjectKind.ORGANISATION
    franklin = entries["opensanctions:Q101198561"]
    assert (franklin.name, franklin.aliases, franklin.birth_dates) == (
        "Scott Franklin",
        ("C. Scott Franklin",),
        ("1964",),
    )
    assert franklin.programs == ("role.pep",)
    # Positions (RECORD_TYPE null) are what people held, not parties.
    assert "opensanctions:Q4416090" not in entries


FTM = "\n".join(
    [
        '{"id": "NK-p1", "schema": "Person", "properties": {"name": ["Viktor Petrov"], "alias": '
        '["Viktor Petroff", "viktor petrov"], "weakAlias": ["Vitya"], "birthDate": ["1961-04-12", "1961"], '
        '"nationality": ["ru"], "citizenship": ["cy"], "passportNumber": ["7512345"], "idNumber": '
        '["4500123456"], "taxNumber": ["770123456789"], "topics": ["sanction"]}}',
        '{"id": "NK-c1", "schema": "Company", "properties": {"name": ["Petrov Trading LLC"], "jurisdiction": '
        '["cy"], "registrationNumber": ["HE123456"], "topics": ["sanction"]}}',
        '{"id": "NK-v1", "schema": "Vessel", "properties": {"name": ["SEA STAR"], "imoNumber": ["9187629"], '
        '"flag": ["pa"]}}',
        '{"id": "NK-pos", "schema": "Position", "properties": {"name": ["Minister of Finance"]}}',
        '["not", "an", "object"]',
        '{"id": "NK-p1", "schema": "Person", "properties": {"name": ["Viktor PETROV"], "country": ["suhh"]}}',
        '{"schema": "Person", "properties": {"name": ["No Id"]}}',
        "{not json",
    ]
)


def test_ftm_json_lines() -> None:
    countries = CountryResolver()
    parsed = names_opensanctions.parse({"entities.ftm.json": FTM}, countries)
    entries = by_id(parsed)
    assert list(entries) == ["opensanctions:NK-p1", "opensanctions:NK-c1", "opensanctions:NK-v1"]
    assert entries["opensanctions:NK-p1"] == NameEntry(
        source="opensanctions",
        entry_id="opensanctions:NK-p1",
        kind=SubjectKind.PERSON,
        name="Viktor Petrov",
        aliases=("Viktor Petroff",),  # not the weak alias; line 6 (same id) only repeats the name
        birth_dates=("1961-04-12", "1961"),
        countries=("RU", "CY"),
        identifiers=(
            Identifier("passport", "7512345"),
            Identifier("national_id", "4500123456"),
            Identifier("tax_id", "770123456789"),
        ),
        programs=("sanction",),
    )
    company, vessel = entries["opensanctions:NK-c1"], entries["opensanctions:NK-v1"]
    assert (company.kind, company.countries, company.identifiers) == (
        SubjectKind.ORGANISATION,
        ("CY",),
        (Identifier("registration", "HE123456"),),
    )
    assert (vessel.kind, vessel.countries, vessel.identifiers) == (
        SubjectKind.VESSEL,
        ("PA",),
        (Identifier("imo", "9187629"),),
    )
    assert [(e.line, e.field) for e in parsed.errors] == [(5, None), (7, "id"), (8, None)]
    assert all(e.file == "entities.ftm.json" for e in parsed.errors)
    assert parsed.errors[0].message == "a JSON list, expected an object"
    assert countries.unmapped == Counter({"suhh": 1})  # the Soviet Union has no ISO code


def test_senzing_array_reports_bad_elements_at_their_line() -> None:
    text = """[
  {"DATA_SOURCE": "X", "RECORD_ID": "a1", "RECORD_TYPE": "PERSON", "NAME_FULL": "Ann Lee"},
  "oops",
  {"DATA_SOURCE": "X", "RECORD_ID": "a2", "RECORD_TYPE": "PERSON"},
  {"DATA_SOURCE": "X", "RECORD_TYPE": "PERSON", "NAME_FULL": "Bo Lee"}
]"""
    parsed = names_opensanctions.parse({"x.json": text})
    assert [e.name for e in parsed.entries] == ["Ann Lee"]
    assert [(e.file, e.line, e.field) for e in parsed.errors] == [
        ("x.json", 3, None),
        ("x.json", 4, "NAME_FULL"),
        ("x.json", 5, "RECORD_ID"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "results": []\n}', "a single JSON object"),  # JSON, but not a list of records
        ("42", "not JSON"),
        ('[{"RECORD_ID": "a", "NAME_FULL": "Ann"}, {"RECORD_ID": "b", ', "not valid JSON at line 1"),
        ("[]", "no valid entry"),
        ('["a", "b"]', "no valid entry"),
    ],
)
def test_opensanctions_file_that_is_not_a_list_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidListFile, match=message) as caught:
        names_opensanctions.parse({"bad.json": text})
    assert caught.value.file == "bad.json"


# --- OFAC: broken input --------------------------------------------------------------------------

EMPTY = ",".join(["-0- "] * 7)  # Title .. Vess_owner
SDN_CSV = "\n".join(
    [
        f'10,"DOE, John","individual","SDGT",{EMPTY},'
        '"DOB 02 Mar 1970; nationality Cuba; Passport X1 (Cuba);"',
        f'11,"ACME CO.",-0- ,"CUBA",{EMPTY}',  # 11 columns
        f'12,"",-0- ,"CUBA",{EMPTY},-0- ',
        f'x13,"BAD ID CO.",-0- ,"CUBA",{EMPTY},-0- ',
        f'10,"DOE, Jane","individual","SDGT",{EMPTY},-0- ',
        f'14,"MULTI LINE CO.",-0- ,"CUBA",{EMPTY},"first line\nsecond line"',
        f'15,"AFTER CO.",-0- ,"CUBA",{EMPTY}',
    ]
)
ALT_CSV = '10,1,"aka","DOE, Johnny",-0- \n99,2,"aka","NOBODY",-0- \n14,3,"aka","",-0- \n'
ADD_CSV = '10,1,-0- ,"Havana","Cuba",-0- \nabc,2,-0- ,-0- ,"Spain",-0- \n\x1a'


def test_ofac_bad_rows_are_reported_and_skipped() -> None:
    comments = '10," Gender Male"\n'  # continues the remarks of 10 after a cut at a space
    parsed = SDN.parse(
        {"sdn.csv": SDN_CSV, "alt.csv": ALT_CSV, "add.csv": ADD_CSV, "sdn_comments.csv": comments}
    )
    assert [e.entry_id for e in parsed.entries] == ["ofac_sdn:10", "ofac_sdn:14"]
    assert parsed.entries[0] == NameEntry(
        source="ofac_sdn",
        entry_id="ofac_sdn:10",
        kind=SubjectKind.PERSON,
        name="John DOE",
        aliases=("DOE, John", "Johnny DOE"),
        birth_dates=("1970-03-02",),
        countries=("CU",),
        identifiers=(Identifier("passport", "X1", "CU"),),
        programs=("SDGT",),
        remarks="DOB 02 Mar 1970; nationality Cuba; Passport X1 (Cuba); Gender Male",
    )
    assert [(e.file, e.line, e.field) for e in parsed.errors] == [
        ("sdn.csv", 2, None),
        ("sdn.csv", 3, "SDN_Name"),
        ("sdn.csv", 4, "ent_num"),
        ("sdn.csv", 5, "ent_num"),
        ("sdn.csv", 8, None),  # after a row spanning lines 6-7
        ("alt.csv", 2, "ent_num"),
        ("alt.csv", 3, "alt_name"),
        ("add.csv", 2, "ent_num"),
    ]
    assert parsed.errors[0].message.startswith("11 columns, expected 12")
    assert parsed.errors[3].message == "duplicate ent_num 10"
    assert parsed.errors[5].message == "ent_num 99 is not in the list"


def test_ofac_broken_files_are_refused() -> None:
    good = {"sdn.csv": SDN_CSV, "alt.csv": ALT_CSV, "add.csv": ADD_CSV}
    with pytest.raises(InvalidListFile) as caught:
        SDN.parse({"sdn.csv": SDN_CSV, "add.csv": ADD_CSV})
    assert caught.value.file == "alt.csv"
    with pytest.raises(InvalidListFile, match="not readable as CSV") as caught:
        SDN.parse({**good, "sdn.csv": SDN_CSV + '\n16,"TRUNCATED'})
    assert caught.value.file == "sdn.csv"
    with pytest.raises(InvalidListFile, match="no valid entry") as caught:
        SDN.parse({**good, "sdn.csv": ALT_CSV})  # the alias file given as the primary one
    assert caught.value.file == "sdn.csv"
    assert (
        len(SDN.parse({"data/SDN.CSV": SDN_CSV, "data/ALT.CSV": ALT_CSV, "data/ADD.CSV": ADD_CSV}).entries)
        == 2
    )


# --- UN: broken input ----------------------------------------------------------------------------

UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST>
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID><FIRST_NAME>ALI</FIRST_NAME><SECOND_NAME>HASSAN</SECOND_NAME>
    </INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>X2</DATAID><FIRST_NAME>BAD</FIRST_NAME>
    </INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>3</DATAID><FIRST_NAME> </FIRST_NAME>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>1</DATAID><FIRST_NAME>AGAIN</FIRST_NAME>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"""


def test_un_bad_items_are_reported_at_their_line() -> None:
    parsed = names_un.parse({"un.xml": UN_XML})
    assert [(e.entry_id, e.name) for e in parsed.entries] == [("un:1", "ALI HASSAN")]
    assert [(e.file, e.line, e.field) for e in parsed.errors] == [
        ("un.xml", 7, "DATAID"),
        ("un.xml", 10, "FIRST_NAME"),
        ("un.xml", 15, "DATAID"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (UN_XML[: len(UN_XML) // 2], "not well-formed XML"),
        ("<sdnList><sdnEntry/></sdnList>", "root element is sdnList"),
    ],
)
def test_un_broken_file_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidListFile, match=message) as caught:
        names_un.parse({"un.xml": text})
    assert caught.value.file == "un.xml"


# --- The pieces ----------------------------------------------------------------------------------


def test_countries() -> None:
    assert [from_name(n) for n in ("Korea, North", "Burma", "Cote d Ivoire", "Côte d'Ivoire", "Türkiye")] == [
        "KP",
        "MM",
        "CI",
        "CI",
        "TR",
    ]
    assert (from_name("na"), from_code_or_name("na"), from_code_or_name("GBR")) == (None, "NA", "GB")
    resolver = CountryResolver()
    assert [resolver.name(t) for t in ("undetermined", "None Identified", "Atlantis")] == [None, None, None]
    assert resolver.unmapped == Counter({"Atlantis": 1})


def test_birth_dates() -> None:
    assert text_birth_dates("01 Jan 1960") == ("1960-01-01",)
    assert text_birth_dates("Nov. 1973") == ("1973-11",)
    assert text_birth_dates("circa 1960") == ("1960",)
    assert text_birth_dates("Mar 1962 to Feb 1963") == ("1962", "1963")
    assert text_birth_dates("1900 to 1950") == ()  # wider than the cap: rules nothing out
    assert text_birth_dates("31 Feb 1960") == ()
    assert text_birth_dates("30-35 years old") == ()
    assert [iso_birth_date(t) for t in ("1965-03-15T00:00:00", "1965-13", "1965")] == [
        "1965-03-15",
        None,
        "1965",
    ]


def test_natural_order() -> None:
    assert natural_order("CRUZ, Juan M. de la") == "Juan M. de la CRUZ"
    assert natural_order("DELOS REYES, Feliciano Semborio, Jr.") == "Feliciano Semborio DELOS REYES Jr."
    assert natural_order("ZULKARNAEN") == "ZULKARNAEN"
