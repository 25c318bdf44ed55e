"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), mounted at /open311/v2/.

Services are the report categories (`service_code` = category code). Requests are reports, with
public fields only: never the reporter; dates to the day; the location of sensitive categories
coarsened (the same rules as the public API and the `reports` layer). POST creates a report for the
user whose Open311 key is `api_key`; identity fields a client sends (email, names, phone, device_id)
are not stored. POST needs an Open311 key (`POST /api/open311/keys/`, not the account's API token) as
`api_key` in the body or the `X-Api-Key` header; a key in the query string is refused (URLs are logged).
Errors follow the spec: a list of `{"code", "description"}` with the HTTP status.

Service names, descriptions, agencies, notices and error descriptions are in the client's language
(`Accept-Language`: Korean unless it asks for English). Extensions: `bbox=minLon,minLat,maxLon,maxLat` on GET requests; the POST answer carries both
`service_request_id` and `token`.
"""
import datetime
import json
import uuid
import xml.etree.ElementTree as ET

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView, exception_handler as drf_exception_handler

from geoplatform.throttles import CreationRateThrottle

from geoplatform.instants import instant_parse
from geoplatform.messages import render, stored
from geoplatform.text import xml_safe

from . import messages
from .models import CLOSED_STATUSES, OPEN_STATUSES, Open311Key, Report, ReportCategory
from .selectors import local_midnight, report_list
from .serializers import ReportQuerySerializer
from .services import report_create

JURISDICTION = getattr(settings, "OPEN311_JURISDICTION", "seoul.go.kr")
MAX_SPAN_DAYS = 90
MAX_RESULTS = 1000


class Open311Error(exceptions.APIException):
    def __init__(self, status_code: int, description: str):
        super().__init__(description)
        self.status_code = status_code


# --- output -------------------------------------------------------------------------------------------
def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if value is not None:
                # xml_safe: text stored before input was cleaned may still hold characters XML 1.0 cannot carry
                child.text = str(value).lower() if isinstance(value, bool) else xml_safe(str(value))
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def respond(fmt: str, rows: list[dict], *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root, item, rows), status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(rows, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            out += [m if key in ("detail", "non_field_errors") else f"{key}: {m}" for m in _messages(value)]
        return out
    if isinstance(detail, (list, tuple)):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def open311_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors = [{"code": response.status_code, "description": m} for m in _messages(response.data)]
    out = respond(context["kwargs"].get("fmt", "json"), errors, root="errors", item="error",
                  status=response.status_code)
    if response.get("Retry-After"):
        out["Retry-After"] = response["Retry-After"]
    return out


def _local_day(value) -> str:
    """Public times are given to the day: local midnight (Asia/Seoul) of the date."""
    day = timezone.localdate(value) if isinstance(value, datetime.datetime) else value
    return local_midnight(day).isoformat()


def _reader(*, ko: str, en: str) -> str:
    """The text in the client's language (its Accept-Language), the other one when it is missing."""
    english = (translation.get_language() or "ko").startswith("en")
    return (en or ko) if english else (ko or en)


def _service(category: ReportCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": _reader(ko=category.name_ko, en=category.name_en),
        "description": _reader(ko=category.description_ko, en=category.description_en),
        "metadata": False,
        "type": "realtime",
        "keywords": category.code.replace("_", ","),
        "group": _reader(ko=category.responsible_body_ko, en=category.responsible_body_en),
    }


def _request(report: Report, base_url: str) -> dict:
    point = report.public_geom if report.public_geom.geom_type == "Point" else report.public_geom.point_on_surface
    rows = report.public_districts(None)  # the public's view: a coarsened report names its coarse district only
    answers = [row["answer"] for row in sorted(rows, key=lambda r: r["row"].updated_at if r["row"] else 0)
               if row["answer"]]
    agency = " · ".join(_reader(ko=row["district"].name_ko, en=row["district"].name_en) for row in rows)
    photos = [] if report.category.is_sensitive else list(report.photos.all())
    return {
        "service_request_id": str(report.pk),
        "status": "closed" if report.status in CLOSED_STATUSES else "open",
        "status_notes": answers[-1] if answers else "",
        "service_name": _reader(ko=report.category.name_ko, en=report.category.name_en),
        "service_code": report.category.code,
        "description": report.description if report.shows_description(None) else "",
        "agency_responsible": report.responsible_body or agency,
        "service_notice": "",
        "requested_datetime": _local_day(report.created_on),
        "updated_datetime": _local_day(report.updated_at),
        "expected_datetime": _local_day(report.resolve_due),
        "address": ", ".join(row["district"].name_ko for row in rows),
        "address_id": "",
        "zipcode": "",
        "lat": round(point.y, 6),
        "long": round(point.x, 6),
        "media_url": base_url + photos[0].image.url if photos else "",
    }


# --- input --------------------------------------------------------------------------------------------------
class ApiKeyAuthentication(BaseAuthentication):
    """An Open311 key (POST /api/open311/keys/) as `api_key` in the request body or the `X-Api-Key` header.

    Never in the query string: URLs are written to access logs, so such a request is refused with a 400
    that points to the header (the log scrubs the key as well: geoplatform/logs.py). The account's API
    token is not an Open311 key: it would open the whole API.
    """

    def authenticate(self, request):
        if "api_key" in request.query_params:
            raise Open311Error(400, gettext(
                "Do not put api_key in the URL: URLs are logged. Send it in the X-Api-Key header or in the "
                "request body, and issue a new key (POST /api/open311/keys/), since this one may be exposed."))
        key = request.META.get("HTTP_X_API_KEY") or (
            request.data.get("api_key") if request.method == "POST" and hasattr(request.data, "get") else None)
        if not key:
            return None
        record = (Open311Key.objects.select_related("user")
                  .filter(key_hash=Open311Key.hash(str(key)[:200]), revoked_at__isnull=True).first())
        if record is None or not record.user.is_active:
            raise exceptions.AuthenticationFailed(gettext(
                "api_key is not a valid Open311 key. Issue one at POST /api/open311/keys/ (the API token is not one)."))
        return record.user, record  # no authenticate_header: a bad key is a 403, as the spec says


def _instant(value: str, name: str) -> datetime.datetime:
    """geoplatform.instants' one rule, in Open311's error format; a day is its first moment (UTC)."""
    try:
        return instant_parse(value, name=name)
    except DjangoValidationError as exc:
        raise Open311Error(400, str(exc.messages[0]))


def _float(value, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Open311Error(400, gettext("%(name)s is required and must be a number.") % {"name": name})
    if not low <= number <= high:
        raise Open311Error(400, gettext("%(name)s must be between %(low)s and %(high)s.")
                           % {"name": name, "low": low, "high": high})
    return number


class Open311View(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    schema = None  # documented by the GeoReport v2 spec, not in the /api/ OpenAPI schema

    def get_exception_handler(self):
        return open311_exception_handler

    def initial(self, request, *args, **kwargs):
        jurisdiction = request.query_params.get("jurisdiction_id") or (
            request.data.get("jurisdiction_id") if request.method == "POST" and hasattr(request.data, "get") else None)
        if jurisdiction and jurisdiction != JURISDICTION:
            raise Open311Error(404, gettext("jurisdiction_id %(asked)r is not served here; use %(served)r.")
                               % {"asked": jurisdiction, "served": JURISDICTION})
        super().initial(request, *args, **kwargs)

    def base_url(self, request) -> str:
        return request.build_absolute_uri("/").rstrip("/")


class ServiceListView(Open311View):
    def get(self, request, fmt):
        services = [_service(c) for c in ReportCategory.objects.filter(is_active=True)]
        return respond(fmt, services, root="services", item="service")


class ServiceDefinitionView(Open311View):
    def get(self, request, code, fmt):
        category = ReportCategory.objects.filter(code=code, is_active=True).first()
        if category is None:
            raise Open311Error(404, gettext("service_code %(code)r not found.") % {"code": code})
        definition = {"service_code": category.code, "attributes": []}
        if fmt == "xml":
            return respond(fmt, [{"service_code": category.code}], root="service_definition", item="service")
        return HttpResponse(json.dumps(definition), content_type="application/json")


class RequestListView(Open311View):
    permission_classes = [AllowAny]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "reports"

    def get(self, request, fmt):
        params = request.query_params
        query = {}
        if params.get("service_request_id"):
            query["ids"] = [int(i.strip()) for i in params["service_request_id"].split(",")[:MAX_RESULTS]
                            if i.strip().isdigit() and len(i.strip()) <= 18]
        else:
            end = _instant(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
            start = (_instant(params["start_date"], "start_date") if params.get("start_date")
                     else end - datetime.timedelta(days=MAX_SPAN_DAYS))
            if start > end:
                raise Open311Error(400, gettext("start_date is after end_date."))
            if end - start > datetime.timedelta(days=MAX_SPAN_DAYS):
                raise Open311Error(400, gettext("The date range may not span more than %(days)d days.")
                                   % {"days": MAX_SPAN_DAYS})
            query["created_on"] = (timezone.localdate(start), timezone.localdate(end))
            if params.get("service_code"):
                query["categories"] = params["service_code"].split(",")
            if params.get("status"):
                wanted = set(params["status"].split(","))
                if not wanted <= {"open", "closed"}:
                    raise Open311Error(400, gettext("status is open or closed."))
                if len(wanted) == 1:
                    query["statuses"] = OPEN_STATUSES if wanted == {"open"} else CLOSED_STATUSES
            if params.get("bbox"):
                box = ReportQuerySerializer(data={"bbox": params["bbox"]})
                if not box.is_valid():
                    raise Open311Error(400, _messages(box.errors)[0])
                query["bbox"] = box.validated_data["bbox"]
        # Open311 is public whoever calls it (an api_key only identifies who posts): the public list
        reports = report_list(user=None, **query)
        base = self.base_url(request)
        rows = [_request(r, base) for r in reports[:MAX_RESULTS]]
        return respond(fmt, rows, root="service_requests", item="request")

    def post(self, request, fmt):
        data = request.data
        if not getattr(request, "auth", None):
            raise Open311Error(400, gettext("api_key is required: an Open311 key (POST /api/open311/keys/), in the "
                                            "X-Api-Key header or the request body."))
        code = data.get("service_code")
        category = ReportCategory.objects.filter(code=code, is_active=True).first() if code else None
        if category is None:
            raise Open311Error(400, gettext("service_code %(code)r not found; see services.%(format)s.")
                               % {"code": code, "format": fmt})
        if data.get("lat") in (None, "") and data.get("address_string"):
            raise Open311Error(400, gettext("Give lat and long; addresses are not geocoded here."))
        point = Point(_float(data.get("long"), "long", -180, 180), _float(data.get("lat"), "lat", -90, 90), srid=4326)
        report = report_create(reporter=request.user, category=category, geom=point,
                               description=str(data.get("description") or "")[:2000], channel="open311")
        notice = render(stored(messages.SENT, districts=messages.districts_param(report.districts.all())))
        return respond(fmt, [{"service_request_id": str(report.pk), "token": str(report.token),
                              "service_notice": notice, "account_id": None}],
                       root="service_requests", item="request", status=201)


class RequestDetailView(Open311View):
    def get(self, request, pk, fmt):
        report = Report.objects.public().with_related().filter(pk=pk).first()
        if report is None:
            raise Open311Error(404, gettext("service_request_id %(id)s not found.") % {"id": pk})
        return respond(fmt, [_request(report, self.base_url(request))], root="service_requests", item="request")


class TokenView(Open311View):
    def get(self, request, token, fmt):
        try:
            token = uuid.UUID(token)
        except ValueError:
            raise Open311Error(404, gettext("token not found."))
        report = Report.objects.public().filter(token=token).first()
        if report is None:
            raise Open311Error(404, gettext("token not found."))
        return respond(fmt, [{"service_request_id": str(report.pk), "token": str(report.token)}],
                       root="service_requests", item="request")
