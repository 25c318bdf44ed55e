"""The audit log for city staff."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from accounts.permissions import IsCityStaff
from geoplatform.pagination import BoundedLimitOffsetPagination, page_response

from . import selectors
from .serializers import AuditLogSerializer
from django.utils.translation import gettext_lazy as _


class AuditLogListApi(APIView):
    """The audit log (append-only), newest first; city staff only. Filters: action, target_type, target_id, actor."""

    permission_classes = [IsCityStaff]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[OpenApiParameter(name, str) for name in ("action", "target_type", "target_id")]
                   + [OpenApiParameter("actor", int)], responses=AuditLogSerializer(many=True))
    def get(self, request):
        params = request.query_params
        actor = params.get("actor")
        if actor and not (actor.isdigit() and len(actor) <= 18):
            raise ValidationError({"actor": _("actor is a user id.")})
        entries = selectors.audit_list(action=params.get("action", ""), target_type=params.get("target_type", ""),
                                       target_id=params.get("target_id", ""), actor_id=actor)
        return page_response(self, entries, lambda page: AuditLogSerializer(page, many=True).data)
