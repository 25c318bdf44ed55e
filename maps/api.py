"""Thin views: parse, ask a selector or service, serialize. Rules live on the models and in services."""
import re

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from geoplatform.inputs import validated
from geoplatform.media import protected_file_response
from geoplatform.pagination import BoundedLimitOffsetPagination, FeatureCollectionPagination, page_response
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.query import bbox_parse, request_secret
from layers.exports import EXPORT_FORMATS, export_layer_response
from layers.registry import Viewer
from geoplatform.throttles import CreationRateThrottle

from . import selectors, services
from .layers import map_layer
from .permissions import SecretLinkOrSignedIn, SignedInToWrite
from .serializers import (CollaboratorInputSerializer, CollaboratorRoleSerializer, CollaboratorSerializer,
                          FeatureInputSerializer, FeatureListQuerySerializer, FeatureOutputSerializer,
                          FeatureUpdateSerializer, ImportInputSerializer, MapInputSerializer, MapListQuerySerializer,
                          MapOutputSerializer, MapUpdateSerializer, PhotoInputSerializer, PhotoSerializer,
                          ReviewSerializer, RevertSerializer, SecretLinkActionSerializer, SecretLinksSerializer,
                          TemplateSerializer, VersionSerializer)
from django.utils.translation import gettext_lazy as _

KEY_PARAM = OpenApiParameter("key", str, description="A map's secret view or edit link key", required=False)
ETAG_RE = re.compile(r'^(?:W/)?"f(\d+)-v(\d+)"$')


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (_("Send the version you edited (If-Match with the ETag, or a version field)."))
    default_code = "precondition_required"


def _data(request):
    try:
        return request.data
    except RequestDataTooBig:
        raise PayloadTooLarge()


def _map_for(request, pk, need="view", lock=False):
    return selectors.map_access(user=request.user, map_id=pk, need=need, secret=request_secret(request), lock=lock)


def _feature_for(request, map_obj, fid, lock=False):
    return selectors.feature_access(user=request.user, map_obj=map_obj, feature_id=fid,
                                    secret=request_secret(request), lock=lock)


def _feature_response(request, feature, status_code=200):
    response = Response(FeatureOutputSerializer(feature, context={"request": request}).data, status=status_code)
    response["ETag"] = feature.etag
    return response


def _conflict_response(request, conflict):
    feature = conflict.feature
    data = {"detail": (_("This feature changed since you loaded it (now version %(version)s).") % {"version": feature.version}),
            "current": FeatureOutputSerializer(feature, context={"request": request}).data,
            "conflicts": conflict.fields}
    response = Response(data, status=status.HTTP_409_CONFLICT)
    response["ETag"] = feature.etag
    return response


class ForcedNegotiationMixin:
    """File downloads answer whatever the Accept header says."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


# --- maps -------------------------------------------------------------------------------------------
class MapListApi(APIView):
    """Public maps plus your own and those you collaborate on; `q` searches titles and descriptions."""

    permission_classes = [SignedInToWrite]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "maps"
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[MapListQuerySerializer], responses=MapOutputSerializer(many=True))
    def get(self, request):
        query = validated(MapListQuerySerializer, request.query_params)
        maps = selectors.map_list(user=request.user, q=query.get("q", ""), theme=query.get("theme", ""),
                                  owner=query.get("owner", ""), bbox=bbox_parse(query.get("bbox")))
        return page_response(self, maps, lambda page: MapOutputSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=MapInputSerializer, responses={201: MapOutputSerializer})
    def post(self, request):
        data = validated(MapInputSerializer, _data(request))
        map_obj = services.map_create(owner=request.user, **data)
        return Response(MapOutputSerializer(map_obj, context={"request": request}).data, status=201)


class MapDetailApi(APIView):
    permission_classes = [SignedInToWrite]

    @extend_schema(parameters=[KEY_PARAM], responses=MapOutputSerializer)
    def get(self, request, pk):
        return Response(MapOutputSerializer(_map_for(request, pk), context={"request": request}).data)

    @extend_schema(request=MapUpdateSerializer, responses=MapOutputSerializer)
    def patch(self, request, pk):
        with transaction.atomic():  # the row locked by the access door holds until the change is stored
            map_obj = _map_for(request, pk, lock=True)
            data = validated(MapUpdateSerializer, _data(request), partial=True)
            map_obj = services.map_update(map_obj=map_obj, actor=request.user, **data)
        return Response(MapOutputSerializer(map_obj, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.map_delete(map_obj=_map_for(request, pk), actor=request.user)
        return Response(status=204)


# --- features --------------------------------------------------------------------------------------
class FeaturePagination(FeatureCollectionPagination):
    default_limit = 500
    max_limit = 5000


class FeatureListApi(APIView):
    """The map's features as a GeoJSON FeatureCollection (paged); POST adds one (published or suggested)."""

    permission_classes = [SecretLinkOrSignedIn]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "features"
    pagination_class = FeaturePagination

    @extend_schema(parameters=[FeatureListQuerySerializer, KEY_PARAM], responses=FeatureOutputSerializer(many=True))
    def get(self, request, pk):
        map_obj = _map_for(request, pk)
        query = validated(FeatureListQuerySerializer, request.query_params)
        features = selectors.feature_list(map_obj=map_obj, user=request.user, secret=request_secret(request),
                                          bbox=bbox_parse(query.get("bbox")), category=query.get("category", ""),
                                          status=query.get("status", "")).prefetch_related("photos")
        return page_response(self, features,
                             lambda page: FeatureOutputSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(parameters=[KEY_PARAM], request=FeatureInputSerializer, responses={201: FeatureOutputSerializer})
    def post(self, request, pk):
        map_obj = _map_for(request, pk)
        data = validated(FeatureInputSerializer, _data(request))
        feature = services.feature_create(map_obj=map_obj, actor=request.user, secret=request_secret(request), **data)
        response = _feature_response(request, feature, 201)
        response["Location"] = request.build_absolute_uri(reverse("map-feature-detail", args=[map_obj.pk, feature.pk]))
        return response


class FeatureDetailApi(APIView):
    """One feature. Updates must name the version they are based on (If-Match or `version`): stale → 409."""

    permission_classes = [SecretLinkOrSignedIn]

    @extend_schema(parameters=[KEY_PARAM], responses=FeatureOutputSerializer)
    def get(self, request, pk, fid):
        feature = _feature_for(request, _map_for(request, pk), fid)
        if request.headers.get("If-None-Match") == feature.etag:
            response = Response(status=304)
            response["ETag"] = feature.etag
            return response
        return _feature_response(request, feature)

    def _expected_version(self, request, fid, data) -> int | None:
        header = request.headers.get("If-Match", "").strip()
        if header:
            match = ETAG_RE.match(header)
            if not match or int(match.group(1)) != int(fid):
                raise ParseError(_("If-Match must be the ETag of this feature, like \"f12-v3\"."))
            return int(match.group(2))
        return data.pop("version", None)

    def _update(self, request, pk, fid, serializer_class, partial):
        map_obj = _map_for(request, pk)
        data = dict(validated(serializer_class, _data(request), partial=partial))
        expected = self._expected_version(request, fid, data)
        data.pop("version", None)
        if expected is None:
            raise PreconditionRequired()
        try:
            with transaction.atomic():
                feature = services.feature_update(feature=_feature_for(request, map_obj, fid, lock=True),
                                                  actor=request.user, expected_version=expected,
                                                  secret=request_secret(request), **data)
        except services.FeatureConflict as conflict:
            return _conflict_response(request, conflict)
        return _feature_response(request, feature)

    @extend_schema(parameters=[KEY_PARAM, OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
                   request=FeatureUpdateSerializer, responses={200: FeatureOutputSerializer, 409: OpenApiTypes.OBJECT})
    def patch(self, request, pk, fid):
        return self._update(request, pk, fid, FeatureUpdateSerializer, partial=True)

    @extend_schema(parameters=[KEY_PARAM, OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
                   request=FeatureUpdateSerializer, responses={200: FeatureOutputSerializer, 409: OpenApiTypes.OBJECT})
    def put(self, request, pk, fid):
        return self._update(request, pk, fid, FeatureUpdateSerializer, partial=False)

    @extend_schema(parameters=[KEY_PARAM, OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
                   responses={204: None, 409: OpenApiTypes.OBJECT})
    def delete(self, request, pk, fid):
        map_obj = _map_for(request, pk)
        expected = self._expected_version(request, fid, {})
        try:
            with transaction.atomic():
                services.feature_delete(feature=_feature_for(request, map_obj, fid, lock=True), actor=request.user,
                                        secret=request_secret(request), expected_version=expected)
        except services.FeatureConflict as conflict:
            return _conflict_response(request, conflict)
        return Response(status=204)


class FeatureReviewApi(APIView):
    """Approve or reject a pending suggestion (the map's owner and editors)."""

    permission_classes = [SecretLinkOrSignedIn]

    @extend_schema(parameters=[KEY_PARAM], request=ReviewSerializer, responses=FeatureOutputSerializer)
    def post(self, request, pk, fid):
        map_obj = _map_for(request, pk)
        data = validated(ReviewSerializer, _data(request))
        with transaction.atomic():
            feature = services.feature_review(feature=_feature_for(request, map_obj, fid, lock=True),
                                              actor=request.user, secret=request_secret(request), **data)
        return _feature_response(request, feature)


class SuggestionListApi(APIView):
    """Pending suggestions waiting for review (the map's owner and editors)."""

    pagination_class = FeaturePagination

    @extend_schema(parameters=[KEY_PARAM], responses=FeatureOutputSerializer(many=True))
    def get(self, request, pk):
        map_obj = _map_for(request, pk, need="moderate")
        features = selectors.suggestion_list(map_obj=map_obj).prefetch_related("photos")
        return page_response(self, features,
                             lambda page: FeatureOutputSerializer(page, many=True, context={"request": request}).data)


# --- history ------------------------------------------------------------------------------------------
class FeatureHistoryApi(APIView):
    """Every step of one feature, oldest first, with the state before and after as GeoJSON (paged)."""

    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[KEY_PARAM], responses=VersionSerializer(many=True))
    def get(self, request, pk, fid):
        map_obj = _map_for(request, pk)
        versions = selectors.history_for_feature(map_obj=map_obj, user=request.user, fid=int(fid),
                                                 secret=request_secret(request))
        return page_response(self, versions, lambda page: VersionSerializer(page, many=True).data)


class MapHistoryApi(APIView):
    """Recent steps across the map, newest first (paged)."""

    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[KEY_PARAM], responses=VersionSerializer(many=True))
    def get(self, request, pk):
        map_obj = _map_for(request, pk)
        versions = selectors.history_for_map(map_obj=map_obj, user=request.user, secret=request_secret(request))
        return page_response(self, versions, lambda page: VersionSerializer(page, many=True).data)


class FeatureRevertApi(APIView):
    """Return a feature to an earlier version (a new version is recorded; a deleted feature comes back)."""

    permission_classes = [SecretLinkOrSignedIn]

    @extend_schema(parameters=[KEY_PARAM], request=RevertSerializer, responses=FeatureOutputSerializer)
    def post(self, request, pk, fid):
        map_obj = _map_for(request, pk, need="edit")
        data = validated(RevertSerializer, _data(request))
        feature = services.feature_revert(map_obj=map_obj, feature_id=int(fid), actor=request.user,
                                          to_version=data["version"], secret=request_secret(request))
        return _feature_response(request, feature)


# --- photos ---------------------------------------------------------------------------------------------
def _photo_for(request, pk, fid, photo_id):
    return selectors.photo_access(feature=_feature_for(request, _map_for(request, pk), fid), photo_id=photo_id)


class PhotoListApi(APIView):
    permission_classes = [SecretLinkOrSignedIn]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "features"
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[KEY_PARAM], responses=PhotoSerializer(many=True))
    def get(self, request, pk, fid):
        feature = _feature_for(request, _map_for(request, pk), fid)

        def serialize(page):
            for photo in page:
                photo.feature = feature
            return PhotoSerializer(page, many=True, context={"request": request}).data

        return page_response(self, feature.photos.visible(), serialize)

    @extend_schema(parameters=[KEY_PARAM], request=PhotoInputSerializer, responses={201: PhotoSerializer})
    def post(self, request, pk, fid):
        feature = _feature_for(request, _map_for(request, pk), fid)
        data = validated(PhotoInputSerializer, _data(request))
        photo = services.photo_add(feature=feature, actor=request.user, upload=data["image"],
                                   caption=data["caption"], secret=request_secret(request))
        return Response(PhotoSerializer(photo, context={"request": request}).data, status=201)


class PhotoDetailApi(APIView):
    permission_classes = [SecretLinkOrSignedIn]

    @extend_schema(parameters=[KEY_PARAM], responses=PhotoSerializer)
    def get(self, request, pk, fid, photo_id):
        return Response(PhotoSerializer(_photo_for(request, pk, fid, photo_id), context={"request": request}).data)

    @extend_schema(parameters=[KEY_PARAM], responses={204: None})
    def delete(self, request, pk, fid, photo_id):
        services.photo_delete(photo=_photo_for(request, pk, fid, photo_id), actor=request.user,
                              secret=request_secret(request))
        return Response(status=204)


class PhotoFileApi(ForcedNegotiationMixin, APIView):
    """The photo's bytes (EXIF-free re-encoding), served only to those who may see the feature."""

    @extend_schema(parameters=[KEY_PARAM, OpenApiParameter("size", str, enum=["full", "thumb"])],
                   responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, pk, fid, photo_id):
        photo = _photo_for(request, pk, fid, photo_id)
        field = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
        return protected_file_response(field, content_type=photo.content_type)


# --- collaborators and secret links ---------------------------------------------------------------------------
class CollaboratorListApi(APIView):
    """Who may edit or view the map (its owner only)."""

    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=CollaboratorSerializer(many=True))
    def get(self, request, pk):
        map_obj = _map_for(request, pk, need="manage")
        return page_response(self, map_obj.collaborators.select_related("user"),
                             lambda page: CollaboratorSerializer(page, many=True).data)

    @extend_schema(request=CollaboratorInputSerializer, responses={201: CollaboratorSerializer})
    def post(self, request, pk):
        map_obj = _map_for(request, pk, need="manage")
        data = validated(CollaboratorInputSerializer, _data(request))
        collaborator = services.collaborator_set(map_obj=map_obj, actor=request.user, user=data["username"],
                                                 role=data["role"])
        return Response(CollaboratorSerializer(collaborator).data, status=201)


class CollaboratorDetailApi(APIView):
    @extend_schema(request=CollaboratorRoleSerializer, responses=CollaboratorSerializer)
    def patch(self, request, pk, user_id):
        map_obj = _map_for(request, pk, need="manage")
        user = selectors.collaborator_access(map_obj=map_obj, user_id=user_id).user
        data = validated(CollaboratorRoleSerializer, _data(request))
        collaborator = services.collaborator_set(map_obj=map_obj, actor=request.user, user=user, role=data["role"])
        return Response(CollaboratorSerializer(collaborator).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk, user_id):
        map_obj = _map_for(request, pk, need="manage")
        user = selectors.collaborator_access(map_obj=map_obj, user_id=user_id).user
        services.collaborator_remove(map_obj=map_obj, actor=request.user, user=user)
        return Response(status=204)


def _links(request, map_obj) -> dict:
    page = request.build_absolute_uri(f"/maps/{map_obj.pk}/")
    return {"view_key": map_obj.view_key, "edit_key": map_obj.edit_key,
            "view_url": f"{page}?key={map_obj.view_key}" if map_obj.view_key else "",
            "edit_url": f"{page}edit/?key={map_obj.edit_key}" if map_obj.edit_key else ""}


class SecretLinksApi(APIView):
    """The map's secret view and edit links (its owner only). An empty key means the link is off."""

    @extend_schema(responses=SecretLinksSerializer)
    def get(self, request, pk):
        return Response(_links(request, _map_for(request, pk, need="manage")))


class SecretLinkRotateApi(APIView):
    """Make a new view or edit key; the old link stops working at once."""

    change = staticmethod(services.secret_link_rotate)

    @extend_schema(request=SecretLinkActionSerializer, responses=SecretLinksSerializer)
    def post(self, request, pk):
        with transaction.atomic():
            map_obj = _map_for(request, pk, need="manage", lock=True)
            data = validated(SecretLinkActionSerializer, _data(request))
            map_obj = self.change(map_obj=map_obj, actor=request.user, **data)
        return Response(_links(request, map_obj))


class SecretLinkRevokeApi(SecretLinkRotateApi):
    """Switch a view or edit link off."""

    change = staticmethod(services.secret_link_revoke)


# --- import / export ------------------------------------------------------------------------------------------
class MapImportApi(APIView):
    """Import GeoJSON, KML, GPX, CSV, zipped Shapefile or GeoPackage; large files become a background job."""

    permission_classes = [SecretLinkOrSignedIn]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "imports"

    @extend_schema(parameters=[KEY_PARAM], request=ImportInputSerializer,
                   responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        map_obj = _map_for(request, pk)
        data = validated(ImportInputSerializer, _data(request))
        outcome, value = services.map_import(map_obj=map_obj, actor=request.user, upload=data["file"],
                                             fmt=data.get("format", ""), srid=data.get("srid"),
                                             secret=request_secret(request))
        if outcome == "job":
            return Response({"job": str(value.pk), "state": value.state,
                             "url": request.build_absolute_uri(reverse("job-detail", args=[value.pk]))}, status=202)
        if value["imported"] == 0:  # nothing could be imported: the request failed, each feature says why
            return Response({"detail": _("No feature of the file could be imported; see the reasons under 'rejected'."),
                             **value}, status=400)
        return Response(value)


class MapExportApi(ForcedNegotiationMixin, APIView):
    """Download what you may see of the map as GeoJSON, GeoPackage, CSV, KML or zipped Shapefile."""

    @extend_schema(parameters=[KEY_PARAM], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                                                      400: OpenApiTypes.OBJECT})
    def get(self, request, pk, fmt):
        map_obj = _map_for(request, pk)
        if fmt not in EXPORT_FORMATS:
            raise ParseError((_("Unknown export format; use one of %(value1)s.") % {"value1": ', '.join(EXPORT_FORMATS)}))
        return export_layer_response(layer=map_layer(map_obj), viewer=Viewer(request.user, request_secret(request)),
                                     fmt=fmt, filename=f"map-{map_obj.pk}")


# --- templates ------------------------------------------------------------------------------------------------
class TemplateListApi(APIView):
    """Map templates (categories, colours, icons, suggested fields); city staff create them."""

    permission_classes = [SignedInToWrite]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=TemplateSerializer(many=True))
    def get(self, request):
        return page_response(self, selectors.template_list(user=request.user),
                             lambda page: TemplateSerializer(page, many=True).data)

    @extend_schema(request=TemplateSerializer, responses={201: TemplateSerializer})
    def post(self, request):
        data = validated(TemplateSerializer, _data(request))
        template = services.template_save(actor=request.user, **data)
        return Response(TemplateSerializer(template).data, status=201)


class TemplateDetailApi(APIView):
    permission_classes = [SignedInToWrite]

    @extend_schema(responses=TemplateSerializer)
    def get(self, request, pk):
        return Response(TemplateSerializer(selectors.template_access(user=request.user, template_id=pk)).data)

    @extend_schema(request=TemplateSerializer, responses=TemplateSerializer)
    def patch(self, request, pk):
        template = selectors.template_access(user=request.user, template_id=pk)
        data = validated(TemplateSerializer, _data(request), partial=True)
        return Response(TemplateSerializer(services.template_save(actor=request.user, template=template, **data)).data)
