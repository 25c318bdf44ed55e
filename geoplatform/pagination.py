from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

# One rule for every list the platform pages by offset (our /api/ lists and OGC API Features' items): a page
# counts its matches over at most COUNT_CAP + 1 rows and starts at most MAX_OFFSET rows in, so no request walks or
# counts millions of rows (9,000,000 reports a year: counting them all took 0.8 s, skipping to the middle 9 s).
MAX_OFFSET = 100_000
COUNT_CAP = 100_000


def offset_parse(value: str | None) -> int | None:
    """The one reader of an `?offset=`: 0 when absent or empty, the whole number from 0 to MAX_OFFSET, or None when
    the value is anything else (the caller answers its own 400)."""
    if value in (None, ""):
        return 0
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 7:  # no sign, no "1e3", no "²" (a digit int() refuses)
        return None
    offset = int(text)
    return offset if offset <= MAX_OFFSET else None


def count_capped(queryset) -> int | None:
    """How many rows `queryset` has when at most COUNT_CAP (counted over at most COUNT_CAP + 1 rows, in no order);
    None when it has more. A list is just measured."""
    if isinstance(queryset, (list, tuple)):
        return len(queryset) if len(queryset) <= COUNT_CAP else None
    counted = queryset.order_by()[:COUNT_CAP + 1].count()
    return counted if counted <= COUNT_CAP else None


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging with a ceiling on both and a bounded count.

    - `limit`: default 100, at most `max_limit` (1,000; a larger or invalid one is clamped as DRF does);
    - `offset`: a whole number up to MAX_OFFSET (100,000), anything else a 400 in the reader's language;
    - `count`: the number of items when at most COUNT_CAP (100,000), `null` when there are more (then `next` leads
      on while the next page starts within MAX_OFFSET; to reach further a reader narrows the list by its filters,
      or reads the layer's export or OGC API items, which page by id)."""

    default_limit = 100
    max_limit = 1000
    extra_schema: dict = {}  # the OpenAPI schemas of the members `extra()` adds

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = count_capped(queryset)
        self.display_page_controls = self.count is not None and self.count > self.limit
        if self.count is not None and (self.count == 0 or self.offset > self.count):
            return []
        return list(queryset[self.offset:self.offset + self.limit])

    def get_offset(self, request):
        offset = offset_parse(request.query_params.get(self.offset_query_param))
        if offset is None:
            raise ValidationError({self.offset_query_param: [
                _("offset must be a whole number up to %(MAX_OFFSET)s; to reach items further down, narrow the list "
                  "with its filters.") % {"MAX_OFFSET": f"{MAX_OFFSET:,}"}]})
        return offset

    def get_next_link(self):
        if self.count is None:  # more than COUNT_CAP: a next page while it starts within MAX_OFFSET
            offset = self.offset + self.limit
            if offset > MAX_OFFSET:
                return None
            url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
            return replace_query_param(url, self.offset_query_param, offset)
        return super().get_next_link()

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data.update(self.extra())
        return response

    def extra(self) -> dict:
        """More top-level members of the page, beside the envelope (never instead of it)."""
        return {}

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"]["count"] = {
            "type": "integer", "nullable": True, "minimum": 0, "maximum": COUNT_CAP, "example": 123,
            "description": f"the number of items when at most {COUNT_CAP:,}; null when there are more"}
        page["properties"].update(self.extra_schema)
        return page

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.offset_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}
        return parameters


class FeatureCollectionPagination(BoundedLimitOffsetPagination):
    """The API's one page of GeoJSON: the same limit/offset paging and page keys (`count`, `next`,
    `previous`) as every list, with the items under `features` so that the page is a FeatureCollection."""

    def get_paginated_response(self, data):
        features = data["features"] if isinstance(data, dict) else data  # a GeoFeatureModelSerializer's collection
        return Response({"type": "FeatureCollection", "count": self.count, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "features": list(features), **self.extra()})

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"] = {"type": {"type": "string", "enum": ["FeatureCollection"]},
                              **{k: v for k, v in page["properties"].items() if k != "results"},
                              "features": schema.get("properties", {}).get("features", schema)}
        page["required"] = ["type", "count", "features"]
        return page


def page_response(view, items, serialize) -> Response:
    """The API's one list answer: `items` (a queryset or a list) paged by the view's `pagination_class`, the
    page's items turned into data by `serialize(page)`. Every list of our own API answers this way, short
    fixed lists too (they are one page); the view's `pagination_class` is also what the OpenAPI schema shows."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(items, view.request, view=view)
    return paginator.get_paginated_response(serialize(page))

