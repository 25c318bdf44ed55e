"""#16 (time bound on every import): the projects import reads its file in the same bounded child
process as the indicators' (dashboards.imports.read_table): stopped at the bound, nothing stored, no
process left."""
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards import imports
from projects.models import Project
from tests.dashboards.test_import_bounds import BOUND, _reader_fork_server_started, children_gone, slow_xlsx  # noqa: F401


def test_a_projects_xlsx_that_keeps_the_parser_busy_is_stopped_at_the_bound_and_stores_nothing(
        seoul, staff, client_for, monkeypatch):
    monkeypatch.setattr(imports, "TABLE_IMPORT_TIME_LIMIT", BOUND)
    before = Project.objects.count()
    started = time.monotonic()
    response = client_for(staff).post("/api/projects/import/", {"file": SimpleUploadedFile("slow.xlsx", slow_xlsx())},
                                      format="multipart")
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.content
    assert "파일을 읽는 데 1초를 넘겨 중단되었습니다. 파일을 더 작게 나누어 주세요." in str(response.json())
    assert BOUND <= elapsed < BOUND + 10
    assert children_gone() and Project.objects.count() == before
