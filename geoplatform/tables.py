"""Reading a table a person uploaded: its CSV text, its rows, a column's name and a cell's text or number.

Pure functions, no models: the one reader of these for every table import (map features from CSV in
`maps/readers.py`; indicator values and city projects from CSV or XLSX in `dashboards/imports.py` and
`projects/imports.py`). Refusals are ValidationErrors in the reader's language.
"""
import csv
import io
import math
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# digits grouped in threes by commas (1,234,567) or not grouped at all; "127,0276" (a decimal comma) is no number
NUMBER_RE = re.compile(r"[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_text(data: bytes) -> str:
    """An uploaded CSV's text: UTF-8 (with or without a byte-order mark), else CP949 (Korean Excel's)."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The CSV file is not UTF-8 or CP949 text."), code="invalid_file")
    if "\x00" in text:
        raise ValidationError(_("The file is not a CSV text file."), code="invalid_file")
    return text


def csv_rows(text: str) -> list[list[str]]:
    """Every row of a CSV text, its delimiter (comma, semicolon or tab) sniffed from the first lines."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ValidationError(_("The CSV could not be read: %(reason)s.") % {"reason": str(exc)[:120]},
                              code="invalid_file") from exc


def header_key(header) -> str:
    """A column's name as it is compared with the names a reader knows: without spaces and `_ - ( ) . /`,
    in lower case ("SIG_CD", "sig cd" and "sig-cd" are all "sigcd"; "경도(X)" is "경도x")."""
    return re.sub(r"[\s_\-()./]", "", str(header or "")).lower()


def cell_text(value) -> str:
    """A cell as text: "" for an empty cell, a whole float without its ".0" (as spreadsheets write it)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_number(value, *, limit: float = 1e15) -> float | None:
    """A cell's number, or None: a decimal number (its thousands may be grouped with commas), finite and
    below `limit` in size; never NaN, infinity, a boolean or words. (Coordinates pass `limit=math.inf`: their
    coordinate system's area of use bounds them, with a message that names it.)"""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = cell_text(value).replace(" ", "")
        if not NUMBER_RE.fullmatch(text):
            return None
        number = float(text.replace(",", ""))
    return number if math.isfinite(number) and abs(number) < limit else None
