"""Uploaded files (MEDIA_ROOT) are served only by views that check who may see them.

There is no deployment shape in which /media/ is served by the web server or by Django's static
view: every /media/<name> request reaches `media_serve`, which finds the object the file belongs to
through the rules the apps register (`media_register` in their AppConfig.ready), asks that object
whether the requester may see it, and answers 404 otherwise (also for names no rule knows), so
existence does not leak. The bytes then go out through `protected_file_response`:

- with MEDIA_X_ACCEL_REDIRECT set (e.g. "/internal-media/", as behind nginx), an empty response
  with `X-Accel-Redirect: /internal-media/<name>`; nginx serves the file from an `internal`
  location (aliased to MEDIA_ROOT) that no client can request directly;
- otherwise a FileResponse streamed by Django (piece by piece under ASGI too: geoplatform/responses.py).
"""
import mimetypes
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from geoplatform.responses import FileStreamResponse


@dataclass(frozen=True)
class MediaRule:
    prefix: str  # the upload_to directory, e.g. "maps/photos/"
    lookup: Callable[[str], object | None]  # file name -> the object it belongs to, or None
    may_view: Callable[[object, object], bool]  # (object, request) -> may this requester see it?


_rules: list[MediaRule] = []


def media_register(*, prefix: str, lookup, may_view) -> None:
    """Make files under `prefix` servable at /media/<name> to those `may_view(obj, request)` lets through."""
    rule = MediaRule(prefix=prefix, lookup=lookup, may_view=may_view)
    if rule not in _rules:
        _rules.append(rule)


def protected_file_response(field_file, *, content_type: str | None = None, filename: str | None = None,
                            as_attachment: bool = False, cache_control: str = "private, max-age=3600"):
    """The file of a FieldFile, after the caller checked permission: X-Accel-Redirect or a FileResponse."""
    prefix = getattr(settings, "MEDIA_X_ACCEL_REDIRECT", "")
    if prefix:
        guessed = mimetypes.guess_type(field_file.name)[0]
        response = HttpResponse(content_type=content_type or guessed or "application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
        if filename or as_attachment:
            response["Content-Disposition"] = content_disposition_header(as_attachment, filename or field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404
        response = FileStreamResponse(handle, as_attachment=as_attachment, filename=filename or "",
                                content_type=content_type)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def media_serve(request, path: str):
    """/media/<path>: the file if a registered rule finds its owner and the owner lets this requester see it."""
    if ".." in path.split("/") or path.startswith("/"):
        raise Http404
    for rule in _rules:
        if not path.startswith(rule.prefix):
            continue
        owner = rule.lookup(path)
        if owner is not None and rule.may_view(owner, request):
            field_file = next((f for f in _file_fields(owner) if f and f.name == path), None)
            if field_file is not None:
                return protected_file_response(field_file)
    raise Http404


def _file_fields(obj):
    from django.db.models import FileField

    for model_field in obj._meta.get_fields():
        if isinstance(model_field, FileField):
            yield getattr(obj, model_field.name)
