"""The one JSON parser of the API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): bounded in size and depth,
and refusing text the database cannot store, so a hostile body is a 400 or a 413, never a 500.

- size: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (DRF reads the stream itself, past Django's check);
- depth: at most API_JSON_MAX_DEPTH nested arrays/objects (a body nested 100,000 levels deep would
  otherwise end in a RecursionError here or in whatever walks it later);
- no NaN or Infinity (not JSON; PostgreSQL's jsonb refuses them), no NUL characters, no unpaired
  surrogates, in keys or values.
"""
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

from .text import text_check_storable

JSON_MAX_DEPTH = getattr(settings, "API_JSON_MAX_DEPTH", 64)


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"

    def __init__(self, limit: int):
        super().__init__(_("The request body is larger than %(limit)d bytes.") % {"limit": limit})


def json_depth_exceeds(value, limit: int) -> bool:
    """True when `value` nests arrays/objects more than `limit` levels deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def json_parse_bounded(raw: bytes | str, *, encoding: str = "utf-8"):
    """Parse a JSON document with the API's limits; a ParseError with a message for anything refused."""
    try:
        text = raw.decode(encoding) if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ParseError(_("The JSON is nested more than %(depth)d levels deep.") % {"depth": JSON_MAX_DEPTH})
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(_("The request body is not valid JSON: %(reason)s") % {"reason": str(exc)[:200]})
    if json_depth_exceeds(data, JSON_MAX_DEPTH):
        raise ParseError(_("The JSON is nested more than %(depth)d levels deep.") % {"depth": JSON_MAX_DEPTH})
    try:
        text_check_storable(data)
    except ValidationError as exc:
        raise ParseError(" ".join(exc.messages))
    return data


class JSONParser(DRFJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise BodyTooLarge(limit)
        return json_parse_bounded(raw, encoding=encoding)
