"""Photo uploads for every app: check what the file really is, then re-encode it.

Re-encoding with Pillow drops all metadata (EXIF with GPS position, XMP, ICC
comments): only pixels survive. The file's claimed name or content type is never
trusted; Pillow must recognise it as JPEG, PNG or WebP. Pixel limits stop
decompression bombs before decoding.
"""
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError
from django.utils.translation import gettext_lazy as _

MAX_BYTES = getattr(settings, "PHOTO_MAX_BYTES", 10 * 1024 * 1024)
MAX_PIXELS = getattr(settings, "PHOTO_MAX_PIXELS", 40_000_000)
MAX_SIDE = getattr(settings, "PHOTO_MAX_SIDE", 4096)
THUMB_SIDE = 400
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


@dataclass
class CleanImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    content_type: str


def _fail(message, code="invalid_image"):
    raise ValidationError(message, code=code)


def image_sanitise(upload) -> CleanImage:
    """Validate an uploaded image and return metadata-free copies (full and thumbnail)."""
    if upload.size > MAX_BYTES:
        _fail(_("The photo is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}, "too_large")
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
    except Image.DecompressionBombError:
        _fail(_("The image has too many pixels."), "too_many_pixels")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        # ValueError: e.g. a PNG text chunk that decompresses past Pillow's limit (a zTXt bomb)
        _fail(_("The file is not a JPEG, PNG or WebP image."))
    if fmt not in FORMATS:
        _fail(_("%(format)s images are not accepted; use JPEG, PNG or WebP.") % {"format": fmt})
    if width * height > MAX_PIXELS:
        _fail(_("The image has too many pixels (%(width)s×%(height)s).") % {"width": width, "height": height}, "too_many_pixels")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the visible orientation, then forget EXIF
            # Pillow carries JPEG comments, ICC profiles, XMP and EXIF over in .info: keep only transparency.
            img.info = {k: v for k, v in img.info.items() if k == "transparency"}
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            elif fmt != "JPEG" and img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            full = _encode(img, fmt)
            thumb = img.copy()
            thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
            thumb_bytes = _encode(thumb, fmt)
            size = img.size
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError, EOFError):
        _fail(_("The image is damaged and cannot be read."))
    ext, content_type = FORMATS[fmt]
    name = uuid.uuid4().hex
    return CleanImage(
        image=ContentFile(full, name=f"{name}.{ext}"),
        thumbnail=ContentFile(thumb_bytes, name=f"{name}-thumb.{ext}"),
        width=size[0],
        height=size[1],
        content_type=content_type,
    )


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    # A fresh save without exif=/pnginfo=/xmp= arguments writes no metadata at all.
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        img.save(out, "WEBP", quality=85)
    return out.getvalue()


Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow raises DecompressionBombError beyond 2× this
