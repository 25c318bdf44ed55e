"""API plumbing shared by every app: the error format and the API root."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView, exception_handler as drf_exception_handler
from rest_framework.permissions import AllowAny
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError from services as a 400 with its messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, DatabaseError) and "statement timeout" in str(exc):
        return Response({"detail": _("The request took too long; narrow it down.")},
                        status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return response


class ApiRoot(APIView):
    """Entry points of the geoplatform API."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, format=None):
        def url(name):
            return reverse(name, request=request, format=format)

        links = {
            "districts": url("district-list"),
            "signup": url("auth-signup"),
            "token": url("auth-token"),
            "me": url("auth-me"),
            "schema": url("schema"),
            "docs": url("swagger-ui"),
        }
        from django.urls import NoReverseMatch

        for key, name in [
            ("maps", "map-list"), ("templates", "template-list"), ("reports", "report-list"),
            ("report_categories", "report-category-list"), ("notifications", "notification-list"),
            ("layers", "layer-list"), ("indicators", "indicator-list"), ("committees", "committee-list"),
            ("meetings", "meeting-list"), ("analyses", "analysis-list"), ("proposals", "proposal-list"),
            ("rounds", "round-list"), ("campaigns", "campaign-list"), ("feedback", "feedback-list"),
            ("projects", "project-list"),
        ]:
            try:
                links[key] = url(name)
            except NoReverseMatch:
                pass
        links["ogc"] = request.build_absolute_uri("/ogc/")
        links["open311"] = request.build_absolute_uri("/open311/v2/services.json")
        return Response(links)
