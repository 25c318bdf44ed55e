"""Reading indicator values from an uploaded CSV or XLSX file, row by row, with a clear error per bad row.

A file has one row per district (or dong) and period. Columns are found by name, in
Korean or English: the district by MOIS code (`district_code`, `sig_cd`, `자치구코드`) or by
name (`district`, `자치구`, `name_ko`, `name_en`: 강남구, Gangnam-gu, Gangnam), optionally
the dong (`dong_code`/`adm_cd2` or `dong`/`행정동`), the `period` (`기간`: 2025, 2025-09, 2025-Q3)
and the `value` (`값`). The KOSTAT census codes overlap the MOIS codes numerically, so only
MOIS codes are accepted as codes.
"""
import datetime
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext as _

from districts.models import District, Dong
from geoplatform.bounded import read_bounded
from geoplatform.tables import cell_number, cell_text, csv_rows, csv_text, header_key

from .models import PERIOD_RE

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Reading a CSV/XLSX upload (in the request) is bounded in time, like a map import (geoplatform.bounded).
TABLE_IMPORT_TIME_LIMIT = getattr(settings, "TABLE_IMPORT_TIME_LIMIT", 30)

ALIASES = {
    "district_code": {"districtcode", "code", "sigcd", "sigungucode", "gucode", "자치구코드", "구코드", "시군구코드"},
    "district_name": {"district", "districtname", "name", "nameko", "nameen", "gu", "자치구", "구", "구명", "자치구명",
                      "시군구", "시군구명"},
    "dong_code": {"dongcode", "admcd2", "admcd", "행정동코드", "동코드"},
    "dong_name": {"dong", "dongname", "행정동", "동", "행정동명", "동명"},
    "period": {"period", "기간", "연월", "년월", "기준년월", "기준연월", "year", "연도", "기준연도", "month"},
    "value": {"value", "값", "수치", "val"},
}


@dataclass
class ParsedRow:
    row: int
    district: District
    dong: Dong | None
    period: str
    value: float


def name_key(name: str) -> str:
    return re.sub(r"[\s\-]", "", name).lower()


class DistrictIndex:
    """Every way a district or dong may be written in a file, looked up once."""

    def __init__(self):
        self.by_code, self.by_name = {}, {}
        for d in District.objects.all():
            self.by_code[d.code] = d
            english = name_key(d.name_en)
            for key in {name_key(d.name_ko), english, english.removesuffix("gu")}:
                self.by_name[key] = d
        self.dong_by_code, self.dong_by_name = {}, {}
        for dong in Dong.objects.select_related("district"):
            self.dong_by_code[dong.code] = dong
            self.dong_by_name[(dong.district_id, name_key(dong.name_ko))] = dong
            self.dong_by_name[(dong.district_id, name_key(dong.name_en))] = dong


def _period(value) -> str | None:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.strftime("%Y-%m")
    text = cell_text(value).replace(".", "-").replace("/", "-")
    if re.fullmatch(r"\d{6}", text):  # 202509
        text = f"{text[:4]}-{text[4:]}"
    if re.fullmatch(r"\d{4}-\d", text):  # 2025-9
        text = f"{text[:5]}0{text[5:]}"
    text = text.upper().replace("-Q", "-Q")
    return text if re.fullmatch(PERIOD_RE, text) else None


def _table_from_csv(data: bytes) -> list[list]:
    return [row for row in csv_rows(csv_text(data)) if any(cell.strip() for cell in row)]


def _xlsx_refuse_doctype(data: bytes) -> None:
    """An XLSX is a zip of XML parts; none of them may declare a DOCTYPE (entity expansion, external
    entities). The prolog, where a DOCTYPE must stand, is in each part's first bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(member) as part:
                        head = part.read(64 * 1024)
                    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                        raise ValidationError(_("XML with DOCTYPE or entity declarations is not accepted."))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise ValidationError(_("The XLSX file cannot be read.")) from exc


def _table_from_xlsx(data: bytes) -> list[list]:
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    _xlsx_refuse_doctype(data)
    try:  # openpyxl parses through defusedxml when it is installed (it is: pyproject.toml)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, DefusedXmlException) as exc:
        raise ValidationError(_("The XLSX file cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if any(cell not in (None, "") for cell in row):
                rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except (KeyError, ValueError, SyntaxError, DefusedXmlException, zipfile.BadZipFile) as exc:
        # ParseError (a SyntaxError) or a defusedxml refusal while reading the sheet
        raise ValidationError(_("The XLSX file cannot be read.")) from exc
    finally:
        workbook.close()


def read_table(upload) -> tuple[str, list[list]]:
    """The file's kind (`csv` or `xlsx`, by content, not by name) and its non-empty rows.

    The parsing runs in a child process killed after TABLE_IMPORT_TIME_LIMIT seconds (geoplatform.bounded):
    a file that keeps the CSV or XLSX parser busy is refused with a 400 before any row is stored. This is
    the reading step of every table import (indicators here, projects in projects.imports)."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    return read_bounded(_table_from_bytes, upload.read(), upload.name or "", seconds=TABLE_IMPORT_TIME_LIMIT)


def _table_from_bytes(data: bytes, name: str) -> tuple[str, list[list]]:
    """`read_table`'s parsing, in the child process: it touches no database."""
    name = name.lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx", _table_from_xlsx(data)
    if name.endswith((".xlsx", ".xlsm")):
        raise ValidationError(_("The file is named .xlsx but is not an Excel workbook."))
    return "csv", _table_from_csv(data)


def header_columns(header: list, aliases: dict[str, set]) -> dict[str, int]:
    """Each known column's index in a header row: the first cell whose key is one of the column's aliases."""
    columns = {}
    for index, cell in enumerate(header):
        key = header_key(cell)
        for column, names in aliases.items():
            if key in names and column not in columns:
                columns[column] = index
    return columns


def _columns(header: list) -> dict[str, int]:
    columns = header_columns(header, ALIASES)
    if "value" not in columns:
        raise ValidationError(_("The file needs a 'value' column."))
    if "district_code" not in columns and "district_name" not in columns:
        raise ValidationError(_("The file needs a 'district_code' or 'district' column."))
    return columns


def parse_rows(table: list[list], *, default_period: str | None = None) -> tuple[list[ParsedRow], list[dict]]:
    """Good rows and per-row errors (`{"row": n, "message": …}`, n counting the header as row 1)."""
    if not table:
        raise ValidationError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise ValidationError((_("The file has more than %(MAX_ROWS)s rows.") % {"MAX_ROWS": MAX_ROWS}))
    columns = _columns(table[0])
    if "period" not in columns and not default_period:
        raise ValidationError(_("Give a 'period' column or a period for the whole file."))
    index = DistrictIndex()
    good, errors, seen = [], [], {}

    def cell(row, column):
        i = columns.get(column)
        return row[i] if i is not None and i < len(row) else None

    for number, row in enumerate(table[1:], start=2):
        code, name = cell_text(cell(row, "district_code")), cell_text(cell(row, "district_name"))
        district = index.by_code.get(code) if code else index.by_name.get(name_key(name)) if name else None
        if district is None:
            shown = (code or name or "—")[:60]
            errors.append({"row": number, "message": (_("Unknown district '%(shown)s'.") % {"shown": shown})})
            continue
        dong = None
        dong_code, dong_name = cell_text(cell(row, "dong_code")), cell_text(cell(row, "dong_name"))
        if dong_code or dong_name:
            dong = (index.dong_by_code.get(dong_code) if dong_code
                    else index.dong_by_name.get((district.pk, name_key(dong_name))))
            if dong is None or dong.district_id != district.pk:
                shown = (dong_code or dong_name)[:60]
                errors.append({"row": number, "message": _("Unknown dong '%(dong)s' in %(district)s.") % {
                    "dong": shown, "district": district.name_en if get_language() == "en" else district.name_ko}})
                continue
        raw_period = cell(row, "period")
        period = _period(raw_period) if "period" in columns and cell_text(raw_period) else default_period
        if period is None:
            shown = cell_text(raw_period)[:60]
            errors.append({"row": number, "message": (_("Bad period '%(shown)s' (use 2025, 2025-09 or 2025-Q3).") % {"shown": shown})})
            continue
        value = cell_number(cell(row, "value"))
        if value is None:
            shown = cell_text(cell(row, "value"))[:60] or "—"
            errors.append({"row": number, "message": (_("'%(shown)s' is not a number.") % {"shown": shown})})
            continue
        key = (district.pk, dong.pk if dong else None, period)
        if key in seen:
            errors.append({"row": number, "message": _("Same district and period as row %(row)s.") % {"row": seen[key]}})
            continue
        seen[key] = number
        good.append(ParsedRow(row=number, district=district, dong=dong, period=period, value=value))
    return good, errors
