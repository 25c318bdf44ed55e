"""Thin views: parse input, call a selector or a service, serialize the answer."""
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCityStaff, ReadOrCityStaff
from geoplatform.inputs import validated
from geoplatform.pagination import BoundedLimitOffsetPagination, FeatureCollectionPagination, page_response
from geoplatform.parsers import JSONParser
from maps.api import bbox_parse

from . import selectors, services
from .serializers import (
    ProjectFollowSerializer,
    ProposalDecisionInputSerializer,
    ProposalDecisionSerializer,
    ProjectImportInputSerializer,
    ProjectImportResultSerializer,
    ProjectInputSerializer,
    ProjectListQuerySerializer,
    ProjectSerializer,
    ProjectRollupQuerySerializer,
    ProjectRollupRowSerializer,
    ProjectUpdateInputSerializer,
    ProjectUpdateSerializer,
)


class ProjectPagination(FeatureCollectionPagination):
    default_limit = 200
    max_limit = 1000


def _fields(data: dict) -> tuple[dict, dict]:
    """Split validated input into model fields and the related parts the service takes apart."""
    data = dict(data)
    related = {"geom": data.pop("geometry", None), "district_codes": data.pop("districts", None),
               "proposal_ids": data.pop("proposals", None), "meeting_ids": data.pop("meetings", None),
               "report_ids": data.pop("reports", None)}
    return data, related


def _project_response(request, project_id, code=status.HTTP_200_OK):
    project = selectors.project_access(user=request.user, project_id=project_id)
    return Response(ProjectSerializer(project, context={"request": request}).data, status=code)


@extend_schema_view(get=extend_schema(parameters=[ProjectListQuerySerializer]))
class ProjectListApi(APIView):
    """City projects as a GeoJSON FeatureCollection (paged). City staff create them (POST)."""

    permission_classes = [ReadOrCityStaff]
    pagination_class = ProjectPagination

    @extend_schema(responses=ProjectSerializer(many=True))
    def get(self, request):
        query = validated(ProjectListQuerySerializer, request.query_params)
        projects = selectors.project_list(
            user=request.user, district=query.get("district"), department=query.get("department"),
            status=query.get("status"), proposal=query.get("proposal"), meeting=query.get("meeting"),
            bbox=bbox_parse(query.get("bbox")))
        return page_response(self, projects,
                             lambda page: ProjectSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=ProjectInputSerializer, responses={201: ProjectSerializer})
    def post(self, request):
        fields, related = _fields(validated(ProjectInputSerializer, request.data))
        project = services.project_create(actor=request.user, **fields, **related)
        return _project_response(request, project.pk, status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    """One project (GeoJSON feature). City staff change it with PATCH."""

    permission_classes = [ReadOrCityStaff]

    @extend_schema(responses=ProjectSerializer)
    def get(self, request, pk: int):
        return _project_response(request, pk)

    @extend_schema(request=ProjectInputSerializer, responses=ProjectSerializer)
    def patch(self, request, pk: int):
        fields, related = _fields(validated(ProjectInputSerializer, request.data, partial=True))
        with transaction.atomic():  # the lock taken by the access door holds until the change is stored
            project = selectors.project_access(user=request.user, project_id=pk, lock=True)
            services.project_change(actor=request.user, project=project, changes=fields, **related)
        return _project_response(request, pk)


class ProjectUpdateListApi(APIView):
    """The project's timeline of dated public updates, newest first. City staff post (with photos)."""

    permission_classes = [ReadOrCityStaff]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=ProjectUpdateSerializer(many=True))
    def get(self, request, pk: int):
        project = selectors.project_access(user=request.user, project_id=pk)
        updates = selectors.project_updates(project=project)
        return page_response(self, updates,
                             lambda page: ProjectUpdateSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": ProjectUpdateInputSerializer, "application/json": ProjectUpdateInputSerializer},
                   responses={201: ProjectUpdateSerializer})
    def post(self, request, pk: int):
        data = request.data
        if hasattr(data, "getlist"):  # multipart: several files under one name
            data = {**{k: data.get(k) for k in data.keys() if k != "photos"}, "photos": request.FILES.getlist("photos")}
        values = validated(ProjectUpdateInputSerializer, data)
        with transaction.atomic():
            project = selectors.project_access(user=request.user, project_id=pk, lock=True)
            update = services.update_post(actor=request.user, project=project, **values)
        update = selectors.project_updates(project=project).get(pk=update.pk)
        return Response(ProjectUpdateSerializer(update, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ProjectFollowApi(APIView):
    """POST: follow the project (be told of each update). DELETE: stop following."""

    permission_classes = [IsAuthenticated]

    def _answer(self, request, pk, code):
        project = selectors.project_access(user=request.user, project_id=pk)
        data = {"project": project.pk, "following": project.i_follow, "follower_count": project.follower_count}
        return Response(ProjectFollowSerializer(data).data, status=code)

    @extend_schema(request=None, responses={201: ProjectFollowSerializer, 200: ProjectFollowSerializer})
    def post(self, request, pk: int):
        project = selectors.project_access(user=request.user, project_id=pk)
        added = services.project_follow(project=project, user=request.user)
        return self._answer(request, pk, status.HTTP_201_CREATED if added else status.HTTP_200_OK)

    @extend_schema(request=None, responses=ProjectFollowSerializer)
    def delete(self, request, pk: int):
        project = selectors.project_access(user=request.user, project_id=pk)
        services.project_unfollow(project=project, user=request.user)
        return self._answer(request, pk, status.HTTP_200_OK)


class ProjectImportApi(APIView):
    """City staff import projects from CSV/XLSX: good rows are created, bad rows come back with their errors."""

    permission_classes = [IsCityStaff]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ProjectImportInputSerializer},
                   responses={201: ProjectImportResultSerializer, 400: ProjectImportResultSerializer})
    def post(self, request):
        data = validated(ProjectImportInputSerializer, request.data)
        try:
            result = services.projects_import(actor=request.user, upload=data["file"], dry_run=data["dry_run"])
        except services.ImportRefused as refused:
            return Response({"detail": refused.messages[0], "created": [], "errors": refused.rows[:500],
                             "rows": len(refused.rows)}, status=status.HTTP_400_BAD_REQUEST)
        result["errors"] = result["errors"][:500]
        return Response(result, status=status.HTTP_200_OK if data["dry_run"] else status.HTTP_201_CREATED)


class ProjectProgressApi(APIView):
    """Progress rolled up per district (`?by=district`, all 25) or per department (`?by=department`)."""

    permission_classes = [AllowAny]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[ProjectRollupQuerySerializer], responses=ProjectRollupRowSerializer(many=True))
    def get(self, request):
        query = validated(ProjectRollupQuerySerializer, request.query_params)
        rows = selectors.progress_by_department() if query["by"] == "department" else selectors.progress_by_district()
        return page_response(self, rows, lambda page: ProjectRollupRowSerializer(page, many=True).data)


class ProposalDecisionApi(APIView):
    """City staff publish an evaluated proposal's outcome with their feedback; accepted → a new or existing project."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=ProposalDecisionInputSerializer, responses=ProposalDecisionSerializer)
    def post(self, request, pk: int):
        from campaigns.selectors import proposal_access

        with transaction.atomic():  # the proposal locked by its access door holds until the outcome is stored
            proposal = proposal_access(user=request.user, proposal_id=pk, lock=True)
            data = validated(ProposalDecisionInputSerializer, request.data)
            new_project = None
            if data.get("new_project"):
                fields, related = _fields(data["new_project"])
                related.pop("proposal_ids", None)
                new_project = {**fields, **related}
            proposal, project = services.proposal_decide(
                actor=request.user, proposal=proposal, outcome=data["outcome"], feedback=data["feedback"],
                merged_into_id=data.get("merged_into"), project_id=data.get("project"), new_project=new_project)
        return Response(ProposalDecisionSerializer(
            {"proposal": proposal.pk, "state": proposal.state, "project": project.pk if project else None}).data)
