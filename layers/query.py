"""Readers of the query parameters that every map door shares: a `bbox`, and the secret `?key=` of a link."""
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SECRET_MAX = 100  # secret link keys are shorter; longer input is cut, never compared whole

BBOX_NUMBERS = _("bbox must be four numbers: minLon,minLat,maxLon,maxLat.")
BBOX_RANGE = _("bbox is out of range or inverted (longitude -180..180, latitude -90..90, min < max).")


def bbox_parse(text: str | None, *, max_lat: float = 90.0) -> Polygon | None:
    """The one reader of a `bbox` parameter: `minLon,minLat,maxLon,maxLat` in WGS 84, as a polygon.

    None or "" gives None (no filter). A three-dimensional OGC bbox (six numbers) keeps its horizontal
    four. Anything else raises ValidationError with a message in the reader's language; each door turns it
    into its own 400 (DRF, OGC API, Open311, a command's error).
    """
    if text in (None, ""):
        return None
    try:
        values = [float(v) for v in str(text).split(",")]
    except ValueError:
        values = []
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or any(v != v for v in values):
        raise ValidationError({"bbox": BBOX_NUMBERS}, code="invalid_bbox")
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -max_lat <= south < north <= max_lat):
        raise ValidationError({"bbox": BBOX_RANGE}, code="invalid_bbox")
    box = Polygon.from_bbox((west, south, east, north))
    box.srid = 4326
    return box


def request_secret(request) -> str:
    """The one reader of the `?key=` of a secret link (unlisted maps, edit links): "" when there is none."""
    query = getattr(request, "GET", None)
    return str(query.get("key", ""))[:SECRET_MAX] if query is not None else ""
