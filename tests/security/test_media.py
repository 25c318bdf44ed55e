"""Uploaded files only through the permission check: /media/<name> is 404 for whoever may not see the
object the file belongs to (under DEBUG too), and behind nginx the bytes go out by X-Accel-Redirect."""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from maps.services import feature_create, map_create, photo_add
from meetings.services import committee_create, disclosure_reason_upsert, document_add, meeting_create
from tests.maps.conftest import jpeg_with_gps

CITY_HALL = (126.97797, 37.56654)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def _photo(owner, visibility):
    map_obj = map_create(owner=owner, title="우리 동네 산책길", visibility=visibility)
    feature = feature_create(map_obj=map_obj, actor=owner, geom=Point(*CITY_HALL, srid=4326), name="서울광장")
    upload = SimpleUploadedFile("walk.jpg", jpeg_with_gps(), content_type="image/jpeg")
    return photo_add(feature=feature, actor=owner, upload=upload)


def test_a_private_maps_photo_is_404_by_its_media_name_for_anyone_else(citizen, citizen2, client_for, api, seoul):
    photo = _photo(citizen, "private")
    for name in (photo.image.name, photo.thumbnail.name):
        url = f"/media/{name}"
        assert api.get(url).status_code == 404
        assert client_for(citizen2).get(url).status_code == 404
        mine = client_for(citizen).get(url)
        assert mine.status_code == 200 and _body(mine)[:3] == b"\xff\xd8\xff"
        assert mine["Cache-Control"].startswith("private")


def test_a_public_maps_photo_is_served_to_anyone(citizen, api, seoul):
    photo = _photo(citizen, "public")
    assert api.get(f"/media/{photo.image.name}").status_code == 200


@pytest.fixture
def meeting(db):
    committee = committee_create(name_ko="서울특별시 교통위원회", name_en="Seoul Transport Committee",
                                 department_ko="교통정책과", department_en="Transport Policy Division")
    reason = disclosure_reason_upsert(code="art9-1-5", legal_basis="공공기관의 정보공개에 관한 법률 제9조 제1항 제5호",
                                      title_ko="의사결정 과정 또는 내부검토 과정에 있는 사항",
                                      title_en="Matters under decision-making or internal review")
    held = meeting_create(committee=committee, title_ko="2025년 제3차 교통위원회",
                          starts_at=datetime.datetime(2025, 9, 2, 14, tzinfo=datetime.timezone.utc),
                          place_name="서울특별시청", address="서울특별시 중구 세종대로 110", lon=CITY_HALL[0], lat=CITY_HALL[1])
    return held, reason


def test_a_withheld_meeting_document_is_404_by_its_media_name(meeting, api, staff, client_for):
    held, reason = meeting
    withheld = document_add(meeting=held, title="택시요금 내부 검토", disclosure="not_disclosed", disclosure_reason=reason,
                            file=ContentFile(b"%PDF-1.4 secret review", name="review.pdf"))
    disclosed = document_add(meeting=held, title="회의 자료", file=ContentFile(b"%PDF-1.4 agenda", name="agenda.pdf"))
    assert api.get(f"/media/{withheld.file.name}").status_code == 404
    assert client_for(staff).get(f"/media/{withheld.file.name}").status_code == 404  # withheld from everyone's link
    shown = api.get(f"/media/{disclosed.file.name}")
    assert shown.status_code == 200 and _body(shown) == b"%PDF-1.4 agenda"


def test_unknown_names_and_paths_outside_media_are_404(api, db):
    for url in ("/media/maps/photos/2026/01/nothing.jpg", "/media/../geoplatform/settings/base.py",
                "/media/%2e%2e/manage.py", "/media/analysis/1/density.tif", "/media/"):
        assert api.get(url).status_code == 404


@override_settings(MEDIA_X_ACCEL_REDIRECT="/internal-media/")
def test_behind_nginx_the_checked_file_goes_out_by_x_accel_redirect(citizen, citizen2, client_for, seoul):
    photo = _photo(citizen, "private")
    refused = client_for(citizen2).get(f"/media/{photo.image.name}")
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
    mine = client_for(citizen).get(f"/media/{photo.image.name}")
    assert mine.status_code == 200 and _body(mine) == b""
    assert mine["X-Accel-Redirect"] == f"/internal-media/{photo.image.name}"
    assert mine["Content-Type"] == "image/jpeg"
    api_file = client_for(citizen).get(f"/api/maps/{photo.feature.map_id}/features/{photo.feature_id}/photos/{photo.pk}/file")
    assert api_file.status_code == 200 and api_file["X-Accel-Redirect"] == f"/internal-media/{photo.image.name}"


def test_a_sensitive_reports_photo_is_404_for_the_public_and_served_to_its_reporter(make_user, client_for, api, seoul):
    from reports.services import category_create, report_create, report_photo_add

    dark = category_create(code="dark_alley", name_ko="어두운 골목", name_en="Dark alley", is_sensitive=True,
                           responsible_body_ko="안전총괄과", responsible_body_en="Safety")
    reporter = make_user("haneul.reporter")
    report = report_create(reporter=reporter, category=dark, geom=Point(*CITY_HALL, srid=4326), description="어둡습니다")
    photo = report_photo_add(report=report, actor=reporter,
                             upload=SimpleUploadedFile("alley.jpg", jpeg_with_gps(), content_type="image/jpeg"))
    assert api.get(f"/media/{photo.image.name}").status_code == 404
    assert client_for(reporter).get(f"/media/{photo.image.name}").status_code == 200


@pytest.mark.parametrize("environment", [
    {"MEDIA_STORAGE": "storages.backends.s3.S3Storage"},
    {"MEDIA_STORAGE": "django.core.files.storage.InMemoryStorage"},
])
def test_no_process_starts_with_a_media_storage_that_would_bypass_the_permission_check(environment):
    """A storage with URLs of its own would hand out links to private files past media_serve: the management
    commands, the web nodes' ASGI app and the workers all refuse to start, naming the reason."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base",
           **environment}
    for command in (["manage.py", "check"], ["-c", "import geoplatform.asgi"]):
        started = subprocess.run([sys.executable, *command], cwd=root, env=env, capture_output=True, text=True,
                                 timeout=120)
        assert started.returncode != 0, command
        assert "would serve uploaded files without the permission check" in started.stderr, started.stderr[-2000:]
    env.pop("MEDIA_STORAGE")
    fine = subprocess.run([sys.executable, "-c", "import geoplatform.asgi"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)
    assert fine.returncode == 0, fine.stderr[-2000:]
