"""Reading city projects from a CSV or XLSX file, one project a row, with a clear error per bad row.

Columns are found by name, in Korean or English (the indicators' import is the model and its
file reader is shared): `title_ko` (사업명), `title_en`, `description_ko` (설명), `description_en`,
`department_ko` (담당부서), `department_en`, `district` (자치구: MOIS codes or names such as 강남구,
Gangnam-gu or Gangnam; several separated by `;` or `,`), the location as `geometry` (WKT, lon/lat
WGS 84) or `lon`/`lat` (경도/위도) for a point, `budget_planned` (예산), `budget_spent` (집행액),
`starts_on` (시작일), `ends_on` (종료일), `status` (상태: planned/계획, in_progress/진행 중,
done/완료, cancelled/취소), `cancel_reason` (취소 사유), `progress` (진행률, 0–100, "45%" too).

This module only reads: it has no models of its own and writes nothing.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dashboards.imports import MAX_ROWS, DistrictIndex, header_columns, name_key, read_table  # noqa: F401
from geoplatform.tables import cell_number, cell_text

from .models import ProjectStatus

MAX_WKT = 200_000  # characters in one geometry cell; the vertex limit is checked after parsing

ALIASES = {
    "title_ko": {"titleko", "title", "name", "사업명", "제목", "사업명국문"},
    "title_en": {"titleen", "nameen", "영문사업명", "사업명영문"},
    "description_ko": {"descriptionko", "description", "설명", "사업내용", "내용"},
    "description_en": {"descriptionen", "영문설명"},
    "department_ko": {"departmentko", "department", "dept", "담당부서", "부서", "소관부서"},
    "department_en": {"departmenten", "depten", "영문부서"},
    "district": {"district", "districts", "districtcode", "districtcodes", "sigcd", "자치구", "자치구코드", "구"},
    "geometry": {"geometry", "geom", "wkt", "도형", "위치wkt"},
    "lon": {"lon", "lng", "longitude", "x", "경도"},
    "lat": {"lat", "latitude", "y", "위도"},
    "budget_planned": {"budgetplanned", "budget", "예산", "사업비", "계획예산"},
    "budget_spent": {"budgetspent", "spent", "집행액", "집행예산"},
    "starts_on": {"startson", "start", "startdate", "시작일", "착공일"},
    "ends_on": {"endson", "end", "enddate", "종료일", "준공일"},
    "status": {"status", "상태", "진행상태"},
    "cancel_reason": {"cancelreason", "reason", "취소사유"},
    "progress": {"progress", "진행률", "공정률"},
}
STATUS_WORDS = {
    "planned": ProjectStatus.PLANNED, "계획": ProjectStatus.PLANNED, "예정": ProjectStatus.PLANNED,
    "inprogress": ProjectStatus.IN_PROGRESS, "진행중": ProjectStatus.IN_PROGRESS, "진행": ProjectStatus.IN_PROGRESS,
    "done": ProjectStatus.DONE, "완료": ProjectStatus.DONE, "completed": ProjectStatus.DONE,
    "cancelled": ProjectStatus.CANCELLED, "canceled": ProjectStatus.CANCELLED, "취소": ProjectStatus.CANCELLED,
}


@dataclass
class ParsedProject:
    row: int
    values: dict = field(default_factory=dict)
    district_codes: list[str] = field(default_factory=list)
    geom: GEOSGeometry | None = None


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _columns(header: list) -> dict[str, int]:
    columns = header_columns(header, ALIASES)
    missing = [c for c in ("title_ko", "department_ko") if c not in columns]
    if missing:
        raise ValidationError(_("The file needs the columns %(columns)s.") % {"columns": ", ".join(missing)})
    if "geometry" not in columns and not ("lon" in columns and "lat" in columns):
        raise ValidationError(_("The file needs a 'geometry' (WKT) column or 'lon' and 'lat' columns."))
    return columns


def _date(value, column: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).replace(".", "-").replace("/", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise RowError(column, _("'%(value)s' is not a date (use 2026-03-01).") % {"value": text[:40]})


def _amount(value, column: str) -> int:
    if value in (None, ""):
        return 0
    number = cell_number(value)
    if number is None or number < 0 or number > 10**15 or number != int(number):
        raise RowError(column, _("'%(value)s' is not an amount in won.") % {"value": cell_text(value)[:40]})
    return int(number)


def _progress(value) -> int:
    if value in (None, ""):
        return 0
    text = cell_text(value).rstrip("%").strip()
    number = cell_number(text)
    if number is None or not 0 <= number <= 100 or number != int(number):
        raise RowError("progress", _("Progress is a whole per cent from 0 to 100."))
    return int(number)


def _status(value) -> str:
    if value in (None, ""):
        return ProjectStatus.PLANNED
    key = re.sub(r"[\s_\-]", "", cell_text(value)).lower()
    if key not in STATUS_WORDS:
        raise RowError("status", _("Unknown status '%(value)s' (planned, in_progress, done, cancelled).")
                       % {"value": cell_text(value)[:40]})
    return STATUS_WORDS[key]


def _geometry(wkt, lon, lat) -> GEOSGeometry:
    text = cell_text(wkt)
    if text:
        if len(text) > MAX_WKT:
            raise RowError("geometry", _("The geometry is too long."))
        if not re.match(r"^\s*(SRID=4326;)?\s*(MULTI)?(POINT|LINESTRING|POLYGON)\b", text, re.IGNORECASE):
            raise RowError("geometry", _("Write the geometry as WKT: POINT, LINESTRING or POLYGON (or MULTI…)."))
        try:
            geom = GEOSGeometry(text, srid=4326)
        except (GEOSException, ValueError, TypeError):
            raise RowError("geometry", _("The geometry is not readable WKT."))
        return geom
    x, y = cell_number(lon), cell_number(lat)
    if x is None or y is None:
        raise RowError("geometry", _("Give a WKT geometry or a longitude and a latitude."))
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise RowError("geometry", _("Longitude and latitude are out of range."))
    return Point(x, y, srid=4326)


def _districts(value, index: DistrictIndex) -> list[str]:
    codes = []
    for part in re.split(r"[;,/]", cell_text(value)):
        part = part.strip()
        if not part:
            continue
        district = index.by_code.get(part) or index.by_name.get(name_key(part))
        if district is None:
            raise RowError("district", _("Unknown district '%(value)s'.") % {"value": part[:40]})
        codes.append(district.code)
    return codes


def parse_rows(table: list[list]) -> tuple[list[ParsedProject], list[dict]]:
    """Readable rows and per-row errors (`{"row": n, "errors": {column: [message]}}`, the header is row 1)."""
    if not table:
        raise ValidationError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise ValidationError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
    columns = _columns(table[0])
    index = DistrictIndex()
    good, errors = [], []

    def cell(row, column):
        i = columns.get(column)
        return row[i] if i is not None and i < len(row) else None

    for number, row in enumerate(table[1:], start=2):
        try:
            parsed = ParsedProject(row=number)
            for column in ("title_ko", "title_en", "description_ko", "description_en", "department_ko",
                           "department_en", "cancel_reason"):
                parsed.values[column] = cell_text(cell(row, column))
            parsed.values["budget_planned"] = _amount(cell(row, "budget_planned"), "budget_planned")
            parsed.values["budget_spent"] = _amount(cell(row, "budget_spent"), "budget_spent")
            parsed.values["starts_on"] = _date(cell(row, "starts_on"), "starts_on")
            parsed.values["ends_on"] = _date(cell(row, "ends_on"), "ends_on")
            parsed.values["status"] = _status(cell(row, "status"))
            parsed.values["progress"] = _progress(cell(row, "progress"))
            parsed.district_codes = _districts(cell(row, "district"), index)
            parsed.geom = _geometry(cell(row, "geometry"), cell(row, "lon"), cell(row, "lat"))
        except RowError as exc:
            errors.append({"row": number, "errors": {exc.column: [exc.message]}})
            continue
        good.append(parsed)
    return good, errors
