from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

MAX_OFFSET = 10_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging with a ceiling on both: a huge ?offset= is an empty page, never a database error."""

    default_limit = 100
    max_limit = 1000
    extra_schema: dict = {}  # the OpenAPI schemas of the members `extra()` adds

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data.update(self.extra())
        return response

    def extra(self) -> dict:
        """More top-level members of the page, beside the envelope (never instead of it)."""
        return {}

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"].update(self.extra_schema)
        return page


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

