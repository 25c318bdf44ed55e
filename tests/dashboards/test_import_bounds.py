"""#16 (time bound on every import): reading an indicator file runs in a child process killed at
TABLE_IMPORT_TIME_LIMIT; a file that keeps the XLSX parser busy is a 400 in the reader's language, stores
nothing and leaves no process behind."""
import io
import multiprocessing
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards import imports
from dashboards.models import IndicatorImport, IndicatorValue

BOUND = 1  # seconds: the test's bound (the setting is 30 s); the file below takes far longer to parse


@pytest.fixture(autouse=True, scope="module")
def _reader_fork_server_started():
    """The bounded reader's first start is not what is timed."""
    from geoplatform.bounded import run_bounded

    assert run_bounded(len, "seoul", seconds=120) == 5


def slow_xlsx(rows: int = 800_000) -> bytes:
    """A real workbook (well under 5 MB) whose first sheet holds `rows` empty rows before its header: the
    reader walks every one of them (empty rows count towards no row limit), for far longer than BOUND."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["district_code", "period", "value"])
    plain = io.BytesIO()
    workbook.save(plain)
    sheet_data = "".join(f'<row r="{i}"><c r="A{i}"/></row>' for i in range(1, rows + 1))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{sheet_data}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            data = sheet.encode() if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member.filename, data)
    data = out.getvalue()
    assert len(data) < imports.MAX_BYTES
    return data


def children_gone() -> bool:
    return multiprocessing.active_children() == []


def test_an_xlsx_that_keeps_the_parser_busy_is_stopped_at_the_bound_and_stores_nothing(
        client_for, staff, indicator, monkeypatch):
    monkeypatch.setattr(imports, "TABLE_IMPORT_TIME_LIMIT", BOUND)
    upload = SimpleUploadedFile("slow.xlsx", slow_xlsx())
    started = time.monotonic()
    response = client_for(staff).post(f"/api/indicators/{indicator.pk}/import/", {"file": upload}, format="multipart")
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.content
    assert "파일을 읽는 데 1초를 넘겨 중단되었습니다. 파일을 더 작게 나누어 주세요." in str(response.json())
    assert BOUND <= elapsed < BOUND + 10  # the bound, plus the upload and the answer on a busy machine
    assert children_gone()
    assert not IndicatorImport.objects.filter(indicator=indicator).exists()
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()


def test_the_same_refusal_reads_in_english_for_an_english_reader(client_for, staff, indicator, monkeypatch):
    monkeypatch.setattr(imports, "TABLE_IMPORT_TIME_LIMIT", BOUND)
    response = client_for(staff).post(f"/api/indicators/{indicator.pk}/import/",
                                      {"file": SimpleUploadedFile("slow.xlsx", slow_xlsx())}, format="multipart",
                                      HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Reading the file took longer than 1 seconds and was stopped" in str(response.json())
    assert children_gone() and not IndicatorImport.objects.filter(indicator=indicator).exists()


def test_a_file_read_in_the_child_process_imports_as_before(client_for, staff, indicator):
    upload = SimpleUploadedFile("v.csv", "자치구,기간,값\n강남구,2025-09,10\n마포구,2025-09,4\n".encode())
    response = client_for(staff).post(f"/api/indicators/{indicator.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["rows_imported"] == 2 and children_gone()
