"""Report photos: the reporter's own, re-encoded without EXIF; hidden from the public for sensitive categories."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position (Seolleung station) and a camera make."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SampleCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (37.0, 30.0, 16.2), "E", (127.0, 2.0, 56.4)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client, report_id, content: bytes, name="photo.jpg"):
    return client.post(f"/api/reports/{report_id}/photos/", {"image": SimpleUploadedFile(name, content)},
                       format="multipart")


def test_reporter_adds_a_photo_whose_stored_file_has_no_exif(client_for, citizen, make_report, places):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file really has GPS
    report = make_report(citizen, places["seolleung"])
    response = upload(client_for(citizen), report.pk, original)
    assert response.status_code == 201, response.content
    photo = report.photos.get()
    with photo.image.open("rb") as stored:
        exif = Image.open(io.BytesIO(stored.read())).getexif()
    assert not exif.get_ifd(0x8825) and 0x010F not in exif
    assert response.json()["properties"]["photos"][0]["url"].endswith(".jpg")


def test_files_that_lie_about_their_type_are_refused(client_for, citizen, make_report, places):
    report = make_report(citizen, places["seolleung"])
    response = upload(client_for(citizen), report.pk, b"<html><script>alert(1)</script></html>", name="x.jpg")
    assert response.status_code == 400 and "JPEG" in str(response.json())
    assert not report.photos.exists()


def test_only_the_reporter_adds_photos(client_for, citizen2, gangnam_officer, citizen, make_report, places):
    report = make_report(citizen, places["seolleung"])
    for user in (citizen2, gangnam_officer):
        assert upload(client_for(user), report.pk, jpeg_with_gps()).status_code == 403


def test_photos_of_sensitive_reports_are_not_public(client_for, api, citizen, make_report, places):
    report = make_report(citizen, places["samseong"], category="dark")
    upload(client_for(citizen), report.pk, jpeg_with_gps())
    assert api.get(f"/api/reports/{report.pk}/").json()["properties"]["photos"] == []
    assert len(client_for(citizen).get(f"/api/reports/{report.pk}/").json()["properties"]["photos"]) == 1
