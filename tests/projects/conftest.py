"""Fixtures for city projects: Teheran-ro as a real line (its Line 2 stations, from data/seoul), CSV files."""
import io
import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

DATA = Path(__file__).resolve().parents[2] / "data" / "seoul"
# Teheran-ro (테헤란로) runs above Line 2 from Gangnam to Samseong: its stations, in order, trace the street.
TEHERAN_RO_STATIONS = ("0222", "0221", "0220", "0219")  # 강남, 역삼, 선릉, 삼성(무역센터) (역사_ID)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def teheran_ro() -> list[tuple[float, float]]:
    stations = json.loads((DATA / "seoul_subway_stations.geojson").read_text(encoding="utf-8"))["features"]
    by_id = {f["properties"]["역사_ID"]: tuple(f["geometry"]["coordinates"]) for f in stations}
    return [by_id[i] for i in TEHERAN_RO_STATIONS]


@pytest.fixture
def teheran_wkt(teheran_ro) -> str:
    return "LINESTRING(" + ", ".join(f"{x} {y}" for x, y in teheran_ro) + ")"


def csv_upload(text: str, name: str = "projects.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def csv_file():
    return csv_upload


@pytest.fixture
def xlsx_file():
    def make(rows: list[list]) -> SimpleUploadedFile:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return SimpleUploadedFile("projects.xlsx", buffer.getvalue(),
                                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    return make
