"""The MRZ of ICAO 9303 documents: the shared vectors, check-digit properties, and hostile input.

The vectors are read from ``../shared/specs/icao9303_mrz`` at run time (never copied here). Each carries
the check digits recomputed independently (SOURCE.txt); the expected-invalid ones (``FAIL`` entries: a
deliberately bad card, an expired-date variant, a country special case) must fail exactly the checks it
names. The TD1 vectors taken from another project's tests have an empty third line (the source left the
name out): the parser refuses an empty line, so the test reads them with a name line of fillers, which
no check digit covers, and checks that the line as given is refused with its number.
"""

from __future__ import annotations

import contextlib
import json
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import SHARED
from vigil.errors import InvalidInput
from vigil.identity import Field, Format, check_digit, parse_lines, parse_text

VECTORS = SHARED / "specs" / "icao9303_mrz" / "mrz_test_vectors.json"
KEYS = {
    "doc": Field.DOCUMENT_NUMBER,
    "dob": Field.BIRTH_DATE,
    "exp": Field.EXPIRY_DATE,
    "opt": Field.PERSONAL_NUMBER,
    "composite": Field.COMPOSITE,
}
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def _vectors() -> list[dict[str, Any]]:
    if not VECTORS.exists():
        pytest.fail(f"the shared reference data is missing: expected {VECTORS} beside the project")
    vectors: list[dict[str, Any]] = json.loads(Path(VECTORS).read_text())["vectors"]
    return vectors


def test_every_shared_vector_is_read_as_its_independent_check_says() -> None:
    vectors = _vectors()
    assert len(vectors) >= 40
    invalid = 0
    for vector in vectors:
        lines = list(vector["mrz"])
        expected = vector["independent_check"]
        if lines[-1] == "":
            with pytest.raises(InvalidInput, match="line 3"):
                parse_lines(lines)
            lines[-1] = "<" * 30
        mrz = parse_lines(lines)
        where = f"{vector['source_file']}: {lines}"
        assert str(mrz.format) == expected["type"], where
        for key, field in KEYS.items():
            if key in expected:
                assert mrz.check(field) is expected[key], f"{where}: {field}"
            elif field is not Field.COMPOSITE:
                assert mrz.check(field) is None or key == "opt", where
        assert mrz.valid is all(v for k, v in expected.items() if k != "type"), where
        invalid += not mrz.valid
    assert invalid == 4  # id_card_bad, the two td1_chk_04 variants, passport_inp (SOURCE.txt)


def test_the_single_field_examples_of_the_source() -> None:
    examples = {
        "L898902C3": 6,
        "740812": 2,
        "120415": 9,
        "ZE184226B<<<<<": 1,
        "520727": 3,
        "D23145890": 7,
        "AB2134<<<": 5,
    }
    for value, digit in examples.items():
        assert check_digit(value) == digit, value


def test_the_td3_specimen_field_by_field() -> None:
    mrz = parse_lines(TD3)
    assert mrz.format is Format.TD3
    assert (mrz.document_code, mrz.issuing_state, mrz.nationality) == ("P", "UTO", "UTO")
    assert (mrz.surname, mrz.given_names, mrz.name) == ("ERIKSSON", "ANNA MARIA", "ANNA MARIA ERIKSSON")
    assert (mrz.document_number, mrz.sex, mrz.optional_data) == ("L898902C3", "F", "ZE184226B")
    assert mrz.birth_date_on(date(2026, 12, 8)) == date(1974, 8, 12)
    assert mrz.expiry(date(2026, 12, 8)) == date(2012, 4, 15)
    assert mrz.valid and not mrz.failed and not mrz.name_truncated


def test_td1_long_document_number_goes_on_in_the_optional_data() -> None:
    # ICAO 9303 part 5: D23145890734 has 12 characters; '<' stands in the check digit's place and the
    # last three characters, the check digit (9) and a filler open the optional data.
    line1 = "I<UTOD23145890<7349<<<<<<<<<<<"
    line2 = "7408122F1204159UTO<<<<<<<<<<<"
    line2 += str(check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]))
    mrz = parse_lines([line1, line2, TD1[2]])
    assert mrz.document_number == "D23145890734"
    assert mrz.check(Field.DOCUMENT_NUMBER) is True
    assert mrz.optional_data == ""
    assert mrz.valid
    broken = parse_lines([line1.replace("7349", "7348"), line2, TD1[2]])
    assert broken.check(Field.DOCUMENT_NUMBER) is False


def test_td2_long_document_number() -> None:
    line1 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
    number = "D23145890734"
    body = f"{number[:9]}<UTO7408122F1204159{number[9:]}{check_digit(number)}<<<"
    line2 = body + str(check_digit(body[0:10] + body[13:20] + body[21:35]))
    mrz = parse_lines([line1, line2])
    assert (mrz.format, mrz.document_number, mrz.valid) == (Format.TD2, number, True)


def test_tolerated_spelling_surrounding_whitespace_ascii_lower_case_and_blank_lines_in_text() -> None:
    assert parse_lines([f"  {TD3[0].lower()}\t", f"{TD3[1]}\r"]) == parse_lines(TD3)
    assert parse_text(f"\n\n  {TD3[0]}  \n\n{TD3[1]}\n") == parse_lines(TD3)


def test_unused_personal_number_may_have_a_filler_check_digit() -> None:
    line2 = "ZE000509<9CAN8501019F2301147<<<<<<<<<<<<<<<"
    line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:43]))
    mrz = parse_lines(["P<CANMARTIN<<SARAH<<<<<<<<<<<<<<<<<<<<<<<<<<", line2])
    assert mrz.check(Field.PERSONAL_NUMBER) is True and mrz.valid


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        ([], "0 lines"),
        ([TD3[0]], "1 lines"),
        ([*TD1, TD1[2]], "4 lines"),
        ([TD3[0][:-1], TD3[1]], "line 1.*43 characters"),
        ([TD3[0], TD3[1] + "<"], "line 2.*45 characters: a TD3 line has 44"),
        ([TD1[0], TD1[1][:-1], TD1[2]], "line 2.*29 characters: a TD1 line has 30"),
        ([TD3[0], ""], "line 2.*empty"),
        ([TD3[0], "   \t "], "line 2.*empty"),
        ([TD3[0].replace("ANNA", "AИNA"), TD3[1]], r"line 1.*position 17 is U\+0418 CYRILLIC"),
        ([TD3[0].replace("P<", "\uff30<"), TD3[1]], r"line 1.*position 1 is U\+FF30 FULLWIDTH"),
        ([TD3[0].replace("<<ANNA", "«ANNA"), TD3[1]], r"line 1.*U\+00AB"),
        ([TD3[0].replace("<<ANNA", "< ANNA"), TD3[1]], r"line 1.*position 15 is U\+0020 SPACE"),
        ([TD3[0], TD3[1].replace("L8", "L\x008")], r"line 2.*position 2 is U\+0000"),
        ([TD3[0].replace("A", "\u0131"), TD3[1]], r"line 1.*DOTLESS I"),
        (["x" * 10_000, TD3[1]], "line 1.*10,000 characters"),
        ([TD3[0] * 50, TD3[1]], "line 1.*2,200 characters"),
    ],
)
def test_malformed_and_hostile_input_is_refused_naming_line_and_position(
    lines: list[str], match: str
) -> None:
    with pytest.raises(InvalidInput, match=match) as caught:
        parse_lines(lines)
    assert len(str(caught.value)) < 200  # the input is described, never echoed whole
    assert caught.value.field == "mrz"


def test_huge_text_and_a_string_given_as_lines_are_refused() -> None:
    with pytest.raises(InvalidInput, match="far longer"):
        parse_text("P" * 1_000_000)
    with pytest.raises(TypeError):
        parse_lines("\n".join(TD3))


def test_what_the_lines_hold_is_read_not_refused() -> None:
    # A date that is no date, an unknown sex: read as printed, reported by failed check digits.
    line2 = "L898902C36UTO7413992Q1204159ZE184226B<<<<<10"
    mrz = parse_lines([TD3[0], line2])
    assert mrz.sex == "Q"
    assert mrz.birth_date_on(date(2026, 1, 1)) is None
    assert Field.BIRTH_DATE in mrz.failed and Field.COMPOSITE in mrz.failed


# -- properties -----------------------------------------------------------------------------

ALPHABET = string.ascii_uppercase + string.digits + "<"
# The character ranges a check digit covers, per format: (line, start, end) of the fields.
CHECKED = {
    Format.TD3: [(1, 0, 9), (1, 13, 19), (1, 21, 27), (1, 28, 42)],
    Format.TD2: [(1, 0, 9), (1, 13, 19), (1, 21, 27), (1, 28, 35)],
    Format.TD1: [(0, 5, 14), (0, 15, 30), (1, 0, 6), (1, 8, 14), (1, 18, 29)],
    Format.MRV_A: [(1, 0, 9), (1, 13, 19), (1, 21, 27)],
    Format.MRV_B: [(1, 0, 9), (1, 13, 19), (1, 21, 27)],
}

texts = st.text(alphabet=ALPHABET, min_size=1)
dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2099, 12, 31)).map(lambda d: d.strftime("%y%m%d"))


def _field(draw: st.DrawFn, size: int) -> str:
    return draw(st.text(alphabet=ALPHABET, min_size=size, max_size=size))


@st.composite
def valid_mrz(draw: st.DrawFn) -> tuple[Format, list[str]]:
    """A valid MRZ of any format, every check digit computed (the personal number is never all fillers,
    so its check digit is a digit; the document number fits in nine characters)."""
    fmt = draw(st.sampled_from(list(Format)))
    number = draw(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=9, max_size=9))
    state, nation = _field(draw, 3), _field(draw, 3)
    born, expires = draw(dates), draw(dates)
    sex = draw(st.sampled_from("MFX<"))
    cd = check_digit
    if fmt is Format.TD1:
        optional1, optional2 = _field(draw, 15), _field(draw, 11)
        extension = draw(st.text(alphabet=string.ascii_uppercase + string.digits, max_size=5))
        if extension:  # the long-number rule: '<' for the check digit, the rest in the optional data
            optional1 = f"{extension}{cd(number + extension)}<{optional1}"[:15]
            one = f"I<{state}{number}<{optional1}"
        else:
            one = f"I<{state}{number}{cd(number)}{optional1}"
        two = f"{born}{cd(born)}{sex}{expires}{cd(expires)}{nation}{optional2}"
        two += str(cd(one[5:30] + two[0:7] + two[8:15] + two[18:29]))
        return fmt, [one, two, _field(draw, 30)]
    width = 44 if fmt in (Format.TD3, Format.MRV_A) else 36
    code = {Format.TD3: "P<", Format.TD2: "I<", Format.MRV_A: "V<", Format.MRV_B: "V<"}[fmt]
    one = code + state + _field(draw, width - 5)
    two = f"{number}{cd(number)}{nation}{born}{cd(born)}{sex}{expires}{cd(expires)}"
    if fmt is Format.TD3:
        personal = _field(draw, 14)
        assume(personal != "<" * 14)
        two += personal + str(cd(personal))
    elif fmt is Format.TD2:
        two += _field(draw, 7)
    else:
        two += _field(draw, width - 28)
    if fmt in (Format.TD3, Format.TD2):
        two += str(cd(two[0:10] + two[13:20] + two[21:]))
    assert len(one) == len(two) == width
    return fmt, [one, two]


@given(valid_mrz())
def test_a_generated_valid_mrz_round_trips(generated: tuple[Format, list[str]]) -> None:
    fmt, lines = generated
    mrz = parse_lines(lines)
    assert mrz.format is fmt
    assert mrz.valid, mrz.failed
    assert list(mrz.lines) == lines
    if fmt is Format.TD1 and lines[0][14] == "<":  # a long number read whole from the optional data
        assert len(mrz.document_number) > 9 and mrz.document_number[:9] == lines[0][5:14]
    assert parse_text("\n".join(lines)) == mrz
    assert parse_lines([line.lower() for line in lines]) == mrz


@given(valid_mrz(), st.data())
def test_changing_any_one_character_of_a_checked_field_breaks_a_check_digit(
    generated: tuple[Format, list[str]], data: st.DataObject
) -> None:
    fmt, lines = generated
    line, start, end = data.draw(st.sampled_from(CHECKED[fmt]))
    position = data.draw(st.integers(start, end - 1))
    old = lines[line][position]
    new = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != old))
    # Weighted sums modulo 10 cannot tell apart two characters whose values differ by a multiple of 10
    # (0, A, K, U; 1, B, L, V; ...): ICAO's check digit catches a changed character unless it is one of
    # those. Such a change is out of what it promises.
    values = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)} | {"<": 0}
    assume((values[new] - values[old]) % 10 != 0)
    changed = list(lines)
    changed[line] = changed[line][:position] + new + changed[line][position + 1 :]
    mrz = parse_lines(changed)
    assert not mrz.valid


@given(st.lists(st.text(max_size=60), max_size=5))
def test_arbitrary_lines_parse_or_raise_invalid_input_only(lines: list[str]) -> None:
    with contextlib.suppress(InvalidInput):
        parse_lines(lines)
