"""The one reader of uploaded tables' cells (geoplatform/tables.py), shared by the map, indicator and project imports."""
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from geoplatform.tables import cell_number, cell_text, csv_rows, csv_text, header_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("header,key", [("SIG_CD", "sigcd"), ("sig cd", "sigcd"), (" Longitude ", "longitude"),
                                        ("경도(X)", "경도x"), ("the_geom", "thegeom"), (None, "")])
def test_a_column_name_is_compared_without_case_spaces_or_punctuation(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize("cell,number", [
    ("127.0276", 127.0276), (" 37.4979 ", 37.4979), ("1,234,567", 1234567.0), ("-5", -5.0), (".5", 0.5),
    ("1e3", 1000.0), (3, 3.0), (2.5, 2.5),
    ("127,0276", None),  # a decimal comma is not read as thousands
    ("nan", None), ("inf", None), ("1_000", None), ("", None), ("십", None), (True, None), ("1e20", None),
])
def test_a_cell_is_a_finite_decimal_number_or_none(cell, number):
    assert cell_number(cell) == number


def test_a_coordinate_cell_is_bounded_by_its_crs_not_by_the_amounts_limit():
    assert cell_number("1e300", limit=float("inf")) == 1e300 and cell_number("1e300") is None


def test_a_whole_float_cell_reads_as_spreadsheets_write_it():
    assert (cell_text(11680.0), cell_text(None), cell_text(" 강남구 ")) == ("11680", "", "강남구")


def test_csv_text_is_utf8_or_cp949_and_never_binary():
    assert csv_text("\ufeff자치구,값\n강남구,3\n".encode("utf-8")) == "자치구,값\n강남구,3\n"
    assert csv_text("자치구,값\n".encode("cp949")) == "자치구,값\n"
    with pytest.raises(ValidationError):
        csv_text(b"\xff\xfe\x00\x00\x80\x81")
    with pytest.raises(ValidationError):
        csv_text(b"a,b\n1,\x00\n")


def test_csv_rows_sniff_semicolons_and_refuse_an_oversized_field_with_a_message():
    assert csv_rows("lon;lat\n127.0276;37.4979\n") == [["lon", "lat"], ["127.0276", "37.4979"]]
    with pytest.raises(ValidationError) as refused:
        csv_rows('a,b\n"' + "x" * 200_000 + '",1\n')
    assert "CSV" in refused.value.messages[0]


@pytest.mark.parametrize("pattern", [
    r"def _?(norm|number|header_key|cell_number|cell_text|decode_text)\(",  # a copy of a cell reader
    r"\"utf-8-sig\", \"cp949\"",  # a copy of the CSV text decoding
])
def test_the_cell_readers_have_one_home(pattern):
    regex = re.compile(pattern)
    found = {str(path.relative_to(ROOT)) for app in ROOT.iterdir() if (app / "apps.py").exists() or app.name == "geoplatform"
             for path in app.rglob("*.py")
             if not {"migrations", "node_modules"} & set(path.parts) and regex.search(path.read_text("utf-8"))}
    assert found == {"geoplatform/tables.py"}
