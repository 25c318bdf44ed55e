"""Reading indicator values from an uploaded CSV or XLSX file, row by row, with a clear error per bad row.

A file has one row per district (or dong) and period. Columns are found by name, in
Korean or English: the district by MOIS code (`district_code`, `sig_cd`, `자치구코드`) or by
name (`district`, `자치구`, `name_ko`, `name_en`: 강남구, Gangnam-gu, Gangnam), optionally
the dong (`dong_code`/`adm_cd2` or `dong`/`행정동`), the `period` (`기간`: 2025, 2025-09, 2025-Q3)
and the `value` (`값`). The KOSTAT census codes overlap the MOIS codes numerically, so only
MOIS codes are accepted as codes.
"""
import csv
import datetime
import io
import math
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from districts.models import District, Dong

from .models import PERIOD_RE

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

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


def _norm(header) -> str:
    return re.sub(r"[\s_\-()./]", "", str(header or "")).lower()


def _name_key(name: str) -> str:
    return re.sub(r"[\s\-]", "", name).lower()


class DistrictIndex:
    """Every way a district or dong may be written in a file, looked up once."""

    def __init__(self):
        self.by_code, self.by_name = {}, {}
        for d in District.objects.all():
            self.by_code[d.code] = d
            english = _name_key(d.name_en)
            for key in {_name_key(d.name_ko), english, english.removesuffix("gu")}:
                self.by_name[key] = d
        self.dong_by_code, self.dong_by_name = {}, {}
        for dong in Dong.objects.select_related("district"):
            self.dong_by_code[dong.code] = dong
            self.dong_by_name[(dong.district_id, _name_key(dong.name_ko))] = dong
            self.dong_by_name[(dong.district_id, _name_key(dong.name_en))] = dong


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _period(value) -> str | None:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.strftime("%Y-%m")
    text = _cell(value).replace(".", "-").replace("/", "-")
    if re.fullmatch(r"\d{6}", text):  # 202509
        text = f"{text[:4]}-{text[4:]}"
    if re.fullmatch(r"\d{4}-\d", text):  # 2025-9
        text = f"{text[:5]}0{text[5:]}"
    text = text.upper().replace("-Q", "-Q")
    return text if re.fullmatch(PERIOD_RE, text) else None


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _cell(value).replace(",", "").replace(" ", "")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
            return None
        number = float(text)
    return number if math.isfinite(number) and abs(number) < 1e15 else None


def _table_from_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError("The CSV file is not UTF-8 or CP949 text. / CSV 파일이 UTF-8 또는 CP949 텍스트가 아닙니다.")
    if "\x00" in text:
        raise ValidationError("The file is not a CSV text file. / CSV 텍스트 파일이 아닙니다.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]


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
        raise ValidationError("The XLSX file cannot be read. / XLSX 파일을 읽을 수 없습니다.") from exc


def _table_from_xlsx(data: bytes) -> list[list]:
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    _xlsx_refuse_doctype(data)
    try:  # openpyxl parses through defusedxml when it is installed (it is: pyproject.toml)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, DefusedXmlException) as exc:
        raise ValidationError("The XLSX file cannot be read. / XLSX 파일을 읽을 수 없습니다.") from exc
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
        raise ValidationError("The XLSX file cannot be read. / XLSX 파일을 읽을 수 없습니다.") from exc
    finally:
        workbook.close()


def read_table(upload) -> tuple[str, list[list]]:
    """The file's kind (`csv` or `xlsx`, by content, not by name) and its non-empty rows."""
    if upload.size > MAX_BYTES:
        raise ValidationError("The file is larger than 5 MB. / 파일이 5MB보다 큽니다.")
    data = upload.read()
    name = (upload.name or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx", _table_from_xlsx(data)
    if name.endswith((".xlsx", ".xlsm")):
        raise ValidationError("The file is named .xlsx but is not an Excel workbook. / "
                              ".xlsx 이름이지만 엑셀 파일이 아닙니다.")
    return "csv", _table_from_csv(data)


def _columns(header: list) -> dict[str, int]:
    columns = {}
    for index, cell in enumerate(header):
        key = _norm(cell)
        for column, aliases in ALIASES.items():
            if key in aliases and column not in columns:
                columns[column] = index
    if "value" not in columns:
        raise ValidationError("The file needs a 'value' (값) column. / 파일에 'value'(값) 열이 필요합니다.")
    if "district_code" not in columns and "district_name" not in columns:
        raise ValidationError("The file needs a 'district_code' or 'district' (자치구) column. / "
                              "파일에 'district_code' 또는 '자치구' 열이 필요합니다.")
    return columns


def parse_rows(table: list[list], *, default_period: str | None = None) -> tuple[list[ParsedRow], list[dict]]:
    """Good rows and per-row errors (`{"row": n, "message": …}`, n counting the header as row 1)."""
    if not table:
        raise ValidationError("The file is empty. / 파일이 비어 있습니다.")
    if len(table) > MAX_ROWS + 1:
        raise ValidationError(f"The file has more than {MAX_ROWS} rows. / 파일의 행이 {MAX_ROWS}개를 넘습니다.")
    columns = _columns(table[0])
    if "period" not in columns and not default_period:
        raise ValidationError("Give a 'period' (기간) column or a period for the whole file. / "
                              "'기간' 열이나 파일 전체의 기간을 주세요.")
    index = DistrictIndex()
    good, errors, seen = [], [], {}

    def cell(row, column):
        i = columns.get(column)
        return row[i] if i is not None and i < len(row) else None

    for number, row in enumerate(table[1:], start=2):
        code, name = _cell(cell(row, "district_code")), _cell(cell(row, "district_name"))
        district = index.by_code.get(code) if code else index.by_name.get(_name_key(name)) if name else None
        if district is None:
            shown = (code or name or "—")[:60]
            errors.append({"row": number, "message": f"Unknown district '{shown}'. / 알 수 없는 자치구 '{shown}'."})
            continue
        dong = None
        dong_code, dong_name = _cell(cell(row, "dong_code")), _cell(cell(row, "dong_name"))
        if dong_code or dong_name:
            dong = (index.dong_by_code.get(dong_code) if dong_code
                    else index.dong_by_name.get((district.pk, _name_key(dong_name))))
            if dong is None or dong.district_id != district.pk:
                shown = (dong_code or dong_name)[:60]
                errors.append({"row": number, "message": f"Unknown dong '{shown}' in {district.name_en}. / "
                                                         f"{district.name_ko}에 없는 행정동 '{shown}'."})
                continue
        raw_period = cell(row, "period")
        period = _period(raw_period) if "period" in columns and _cell(raw_period) else default_period
        if period is None:
            shown = _cell(raw_period)[:60]
            errors.append({"row": number, "message": f"Bad period '{shown}' (use 2025, 2025-09 or 2025-Q3). / "
                                                     f"잘못된 기간 '{shown}' (2025, 2025-09, 2025-Q3 형식)."})
            continue
        value = _number(cell(row, "value"))
        if value is None:
            shown = _cell(cell(row, "value"))[:60] or "—"
            errors.append({"row": number, "message": f"'{shown}' is not a number. / '{shown}'은(는) 숫자가 아닙니다."})
            continue
        key = (district.pk, dong.pk if dong else None, period)
        if key in seen:
            errors.append({"row": number, "message": f"Same district and period as row {seen[key]}. / "
                                                     f"{seen[key]}행과 자치구·기간이 같습니다."})
            continue
        seen[key] = number
        good.append(ParsedRow(row=number, district=district, dong=dong, period=period, value=value))
    return good, errors
