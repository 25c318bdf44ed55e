"""Photos keep their pixels and lose everything else: EXIF (GPS), comments, XMP, ICC."""
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from geoplatform.images import image_sanitise


def _jpeg_with_metadata() -> bytes:
    img = Image.new("RGB", (640, 480), (200, 60, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}  # Seoul City Hall
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), comment=b"home address: 110 Sejong-daero", icc_profile=b"\0" * 128)
    return out.getvalue()


def test_jpeg_loses_exif_gps_comment_and_icc_but_keeps_its_pixels():
    raw = _jpeg_with_metadata()
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif().get_ifd(0x8825)  # the fixture really carries GPS
        assert original.info.get("comment")
    clean = image_sanitise(SimpleUploadedFile("photo.jpg", raw, content_type="image/jpeg"))
    data = clean.image.read()
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and img.size == (640, 480)
        assert len(img.getexif()) == 0
        assert "comment" not in img.info and "icc_profile" not in img.info and "exif" not in img.info
        assert img.getpixel((10, 10))[0] > 150
    assert b"Sejong" not in data and b"PhoneMaker" not in data
    with Image.open(io.BytesIO(clean.thumbnail.read())) as thumb:
        assert max(thumb.size) == 400


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    meta.add_text("Comment", "taken at my home")
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 255, 128)).save(out, "PNG", pnginfo=meta)
    clean = image_sanitise(SimpleUploadedFile("a.png", out.getvalue()))
    data = clean.image.read()
    assert b"my home" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.mode == "RGBA"


@pytest.mark.parametrize(
    "name,content",
    [
        ("evil.jpg", b"<script>alert(1)</script>"),
        ("doc.png", b"%PDF-1.4 not an image"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_files_that_lie_about_their_type_are_refused(name, content):
    with pytest.raises(ValidationError):
        image_sanitise(SimpleUploadedFile(name, content, content_type="image/jpeg"))


def test_decompression_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # 144 Mpx, a few KB on disk
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ValidationError, match="too many pixels|픽셀"):
        image_sanitise(SimpleUploadedFile("bomb.png", out.getvalue()))
