"""The layer catalogue and per-layer exports (thin views over the registry)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from geoplatform.pagination import BoundedLimitOffsetPagination, page_response

from .access import layer_for_viewer, request_viewer
from .exports import export_layer_response
from .registry import registry
from .serializers import LayerSummarySerializer, layer_summary
from .throttles import ExportRateThrottle
from django.utils.translation import gettext_lazy as _


class LayerListApi(APIView):
    """Every layer the viewer may see, with its TileJSON, style, OGC and export URLs."""

    permission_classes = [AllowAny]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(operation_id="layers_list", responses=LayerSummarySerializer(many=True))
    def get(self, request):
        layers = sorted(registry.listed(request_viewer(request)), key=lambda layer: layer.name)
        kind = request.query_params.get("kind")
        if kind:
            layers = [layer for layer in layers if layer.kind == kind]
        return page_response(self, layers, lambda page: [layer_summary(request, layer) for layer in page])


class LayerDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=LayerSummarySerializer)
    def get(self, request, layer):
        return Response(layer_summary(request, layer_for_viewer(layer, request_viewer(request))))


class LayerExportApi(APIView):
    """A download of the layer as the viewer sees it: GeoJSON, GeoPackage, CSV (WKT), zipped Shapefile, KML.

    Signed-in users only, at most THROTTLE_EXPORTS (20 an hour) per user and per IP (layers.throttles); the rows
    are the layer's public fields, as on the map and in OGC API Features.
    """

    permission_classes = [AllowAny]
    throttle_classes = [ExportRateThrottle]
    throttle_scope = "exports"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, layer, fmt):
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Sign in to export layers."))
        viewer = request_viewer(request)
        layer_obj = layer_for_viewer(layer, viewer, kind="vector")
        return export_layer_response(layer=layer_obj, viewer=viewer, fmt=fmt, filename=layer_obj.name)

