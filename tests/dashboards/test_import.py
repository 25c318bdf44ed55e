"""Indicator imports: CSV and XLSX, per-row errors, versions that never overwrite."""
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards.models import IndicatorImport, IndicatorValue
from dashboards.selectors import indicator_values


def _csv(text: str, name="values.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _import(client, indicator, upload, **extra):
    return client.post(f"/api/indicators/{indicator.pk}/import/", {"file": upload, **extra}, format="multipart")


def test_csv_import_reports_the_bad_row_and_imports_the_rest(client_for, staff, indicator):
    upload = _csv(
        "district_code,period,value\n"
        "11680,2025-09,120\n"      # Gangnam by MOIS code
        "11440,2025-09,\"1,045\"\n"  # Mapo, thousands separator
        "11999,2025-09,7\n"        # no such district
        "11650,2025-09,83.5\n"     # Seocho
    )
    response = _import(client_for(staff), indicator, upload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 1
    assert body["rows_total"] == 4 and body["rows_imported"] == 3
    assert len(body["errors"]) == 1
    assert body["errors"][0]["row"] == 4 and "11999" in body["errors"][0]["message"]
    stored = {v.district.code: v.value for v in indicator_values(indicator=indicator, period="2025-09")}
    assert stored == {"11680": 120.0, "11440": 1045.0, "11650": 83.5}


def test_bad_numbers_and_unknown_names_are_reported_per_row(client_for, staff, indicator):
    upload = _csv("자치구,기간,값\n강남구,2025-09,10\nGangseo-gu,2025-09,abc\n판교구,2025-09,3\nMapo,2025-09,4\n"
                  "강남구,2025-09,11\nJongno-gu,2025-13,5\n")
    body = _import(client_for(staff), indicator, upload).json()
    rows = {e["row"]: e["message"] for e in body["errors"]}
    assert set(rows) == {3, 4, 6, 7}
    # In the reader's language (Korean here: no Accept-Language), naming the row's own value.
    assert rows[3] == "'abc'은(는) 숫자가 아닙니다."
    assert "판교구" in rows[4]
    assert rows[6] == "2행과 자치구·기간이 같습니다."
    assert "'2025-13'" in rows[7] and "기간" in rows[7]
    assert body["rows_imported"] == 2


def test_a_file_without_a_good_row_is_refused_and_stores_nothing(client_for, staff, indicator):
    response = _import(client_for(staff), indicator, _csv("district_code,period,value\n99999,2025-09,1\n"))
    assert response.status_code == 400
    assert "errors" in response.json() and response.json()["errors"][0]["row"] == 2
    assert not IndicatorImport.objects.filter(indicator=indicator).exists()


def test_a_file_without_a_value_column_is_a_400_in_the_readers_language(client_for, staff, indicator):
    response = _import(client_for(staff), indicator, _csv("district_code,period,amount\n11680,2025-09,1\n"))
    assert response.status_code == 400
    assert "value" in str(response.json()) and "값" in str(response.json())


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(client_for, staff, indicator):
    response = _import(client_for(staff), indicator, SimpleUploadedFile("x.xlsx", b"<html>not excel</html>"))
    assert response.status_code == 400
    assert "XLSX" in str(response.json()) or "엑셀" in str(response.json())


def test_xlsx_import_with_korean_headers_and_a_period_for_the_whole_file(client_for, staff, indicator, seoul):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["자치구코드", "자치구", "값"])
    sheet.append(["11680", "강남구", 31])
    sheet.append([11110, "종로구", 12.25])
    sheet.append(["", "", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("values.xlsx", buffer.getvalue())
    response = _import(client_for(staff), indicator, upload, period="2024")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "xlsx"
    stored = {v.district.code: v.value for v in indicator_values(indicator=indicator, period="2024")}
    assert stored == {"11680": 31.0, "11110": 12.25}


def test_cp949_csv_and_dong_rows_are_read(client_for, staff, indicator, seoul):
    dong = seoul["11680"].dongs.order_by("code").first()
    upload = _csv(f"자치구,행정동,기간,값\n강남구,,2025,10\n강남구,{dong.name_ko},2025,4\n", encoding="cp949")
    response = _import(client_for(staff), indicator, upload)
    assert response.status_code == 201, response.content
    assert IndicatorValue.objects.filter(indicator=indicator, dong=dong, value=4).exists()


def test_a_new_import_is_a_new_version_and_keeps_the_old_one(client_for, staff, indicator):
    client = client_for(staff)
    _import(client, indicator, _csv("district_code,period,value\n11680,2025-08,1\n11680,2025-09,2\n"))
    second = _import(client, indicator, _csv("district_code,period,value\n11680,2025-09,5\n")).json()
    assert second["version"] == 2 and second["rows_carried"] == 1
    current = {v.period: v.value for v in indicator_values(indicator=indicator)}
    assert current == {"2025-08": 1.0, "2025-09": 5.0}
    old = IndicatorImport.objects.get(indicator=indicator, version=1)
    assert sorted(old.values.values_list("period", "value")) == [("2025-08", 1.0), ("2025-09", 2.0)]
    versions = client.get(f"/api/indicators/{indicator.pk}/import/").json()["results"]
    assert [v["version"] for v in versions] == [2, 1]


def test_only_city_staff_may_import(client_for, citizen, indicator, api):
    upload = _csv("district_code,period,value\n11680,2025-09,1\n")
    assert _import(client_for(citizen), indicator, upload).status_code == 403
    assert _import(api, indicator, _csv("district_code,period,value\n11680,2025-09,1\n")).status_code == 401
    assert not IndicatorImport.objects.exists()
