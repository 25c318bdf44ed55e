"""An XLSX whose XML parts declare a DOCTYPE (entity expansion, external entities) is refused with a message."""
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards.models import IndicatorValue


def _workbook_with(part: str, doctype: str) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["자치구코드", "기간", "값"])
    workbook.active.append(["11680", "2025-09", 31])
    plain = io.BytesIO()
    workbook.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == part:
                declaration, rest = data.split(b"?>", 1) if data.startswith(b"<?xml") else (b"", data)
                data = (declaration + b"?>" if declaration else b"") + doctype.encode() + rest
            target.writestr(member, data)
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    "<!DOCTYPE worksheet>",
])
def test_xlsx_with_a_doctype_is_400_and_imports_nothing(client_for, staff, indicator, part, doctype):
    upload = SimpleUploadedFile("values.xlsx", _workbook_with(part, doctype))
    response = client_for(staff).post(f"/api/indicators/{indicator.pk}/import/", {"file": upload, "period": "2025-09"},
                                      format="multipart")
    assert response.status_code == 400, response.content
    assert "DOCTYPE" in str(response.json()) or "XLSX" in str(response.json())
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()
