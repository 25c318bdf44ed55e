"""Thin views: parse input, call a selector or a service, serialize the answer."""
from django.db import transaction
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCityStaff, ReadOrCityStaff
from geoplatform.inputs import validated
from geoplatform.pagination import BoundedLimitOffsetPagination, page_response
from geoplatform.throttles import CreationRateThrottle

from . import selectors, services
from .serializers import (
    AnswerInputSerializer,
    CampaignInputSerializer,
    CampaignSerializer,
    CommentInputSerializer,
    CommentSerializer,
    HideInputSerializer,
    EvaluationSerializer,
    EvaluatorStatusSerializer,
    ProposalInputSerializer,
    ReviewInputSerializer,
    ScoreInputSerializer,
    ProposalListQuerySerializer,
    ProposalSerializer,
    RoundDetailSerializer,
    RoundInputSerializer,
    RoundSerializer,
    VoteResultSerializer,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Conflict.")
    default_code = "conflict"


# --- proposals ---------------------------------------------------------------------------------

@extend_schema_view(get=extend_schema(parameters=[ProposalListQuerySerializer]))
class ProposalListApi(generics.ListCreateAPIView):
    """Topic proposals, most supported first (`?ordering=new` for the newest). Signed-in citizens propose."""

    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "proposals"

    def get_queryset(self):
        query = validated(ProposalListQuerySerializer, self.request.query_params)
        return selectors.proposal_list(user=self.request.user, round_id=query.get("round"), state=query.get("state"),
                                       district=query.get("district"), order=query.get("ordering", "votes"))

    @extend_schema(request=ProposalInputSerializer, responses={201: ProposalSerializer})
    def post(self, request):
        data = validated(ProposalInputSerializer, request.data)
        proposal = services.proposal_create(
            proposer=request.user, title=data["title"], why=data["why"], area_scope=data["area_scope"],
            district_codes=data["districts"], categories=data["categories"], round_id=data.get("round"),
            kind=data["kind"], place=data["place"], budget_estimate=data["budget_estimate"])
        return _proposal_response(request, proposal.pk, status.HTTP_201_CREATED)


def _proposal_response(request, proposal_id, code=status.HTTP_200_OK):
    proposal = selectors.proposal_access(user=request.user, proposal_id=proposal_id)
    return Response(ProposalSerializer(proposal, context={"request": request}).data, status=code)


class ProposalDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProposalSerializer)
    def get(self, request, pk: int):
        return _proposal_response(request, pk)


class ProposalVoteApi(APIView):
    """POST: support the proposal (one vote per citizen). DELETE: withdraw it. Only while its round is open."""

    permission_classes = [IsAuthenticated]

    def _result(self, request, pk, code):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        data = {"proposal": proposal.pk, "votes": proposal.vote_count, "my_vote": proposal.my_vote}
        return Response(VoteResultSerializer(data).data, status=code)

    @extend_schema(request=None, responses={201: VoteResultSerializer})
    def post(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        try:
            services.vote_cast(proposal=proposal, voter=request.user)
        except services.AlreadyVoted as exc:
            raise Conflict(exc.message_dict["vote"][0])
        return self._result(request, pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: VoteResultSerializer})
    def delete(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        services.vote_withdraw(proposal=proposal, voter=request.user)
        return self._result(request, pk, status.HTTP_200_OK)


class ProposalCommentListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "proposal_comments"
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        comments = selectors.proposal_comments(proposal=proposal, user=request.user)
        return page_response(self, comments,
                             lambda page: CommentSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer})
    def post(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        data = validated(CommentInputSerializer, request.data)
        comment = services.comment_create(proposal=proposal, author=request.user, text=data["text"])
        return Response(CommentSerializer(comment, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ProposalCommentDetailApi(APIView):
    """DELETE: the author takes a comment back, or city staff remove it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int, cid: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        comment = selectors.comment_access(user=request.user, proposal=proposal, comment_id=cid)
        services.comment_delete(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProposalModerateApi(APIView):
    """City staff hide an abusive proposal from the public (or show it again), with a reason."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=HideInputSerializer, responses=ProposalSerializer)
    def post(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        data = validated(HideInputSerializer, request.data)
        services.content_hide(target=proposal, actor=request.user, hidden=data["hidden"], reason=data["reason"])
        return _proposal_response(request, pk)


class CommentModerateApi(APIView):
    """City staff hide an abusive comment from the public (or show it again), with a reason."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=HideInputSerializer, responses=CommentSerializer)
    def post(self, request, pk: int, cid: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        comment = selectors.comment_access(user=request.user, proposal=proposal, comment_id=cid)
        data = validated(HideInputSerializer, request.data)
        services.content_hide(target=comment, actor=request.user, hidden=data["hidden"], reason=data["reason"])
        return Response(CommentSerializer(comment, context={"request": request}).data)


class ProposalAnswerApi(APIView):
    """City staff's public answer: selected, merged (into another proposal) or declined with a reason."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=AnswerInputSerializer, responses=ProposalSerializer)
    def post(self, request, pk: int):
        with transaction.atomic():  # the row locked by the access door holds until the answer is stored
            proposal = selectors.proposal_access(user=request.user, proposal_id=pk, lock=True)
            data = validated(AnswerInputSerializer, request.data)
            services.proposal_answer(proposal=proposal, actor=request.user, state=data["state"], answer=data["answer"],
                                     merged_into_id=data.get("merged_into"))
        return _proposal_response(request, pk)


# --- rounds -------------------------------------------------------------------------------------

class RoundListApi(generics.ListCreateAPIView):
    """Voting rounds. City staff open them with a start and an end; at the end the ranking is frozen."""

    serializer_class = RoundSerializer
    permission_classes = [ReadOrCityStaff]

    def get_queryset(self):
        return selectors.round_list()

    def list(self, request, *args, **kwargs):
        services.rounds_close_due()  # publish rankings that are due even if the scheduled task has not run yet
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RoundInputSerializer, responses={201: RoundDetailSerializer})
    def post(self, request):
        data = validated(RoundInputSerializer, request.data)
        round_ = services.round_create(actor=request.user, **data)
        return Response(RoundDetailSerializer(selectors.round_access(user=request.user, round_id=round_.pk)).data,
                        status=status.HTTP_201_CREATED)


class RoundDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=RoundDetailSerializer)
    def get(self, request, pk: int):
        round_ = selectors.round_access(user=request.user, round_id=pk)
        if round_.status == "ended":  # publish a due ranking now, even if the scheduled task has not run yet
            with transaction.atomic():
                services.round_close(round_=selectors.round_access(user=request.user, round_id=pk, lock=True))
            round_ = selectors.round_access(user=request.user, round_id=pk)
        return Response(RoundDetailSerializer(round_).data)


class RoundCloseApi(APIView):
    """Close the round now (ending it early if it still runs) and publish its frozen ranking. Idempotent."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses=RoundDetailSerializer)
    def post(self, request, pk: int):
        with transaction.atomic():
            services.round_close(round_=selectors.round_access(user=request.user, round_id=pk, lock=True),
                                 actor=request.user)
        return Response(RoundDetailSerializer(selectors.round_access(user=request.user, round_id=pk)).data)


# --- campaigns -------------------------------------------------------------------------------------

class CampaignListApi(generics.ListCreateAPIView):
    """Campaigns with live progress and their map (id, page, TileJSON). City staff create them from selected proposals."""

    serializer_class = CampaignSerializer
    permission_classes = [ReadOrCityStaff]

    def get_queryset(self):
        return selectors.campaign_list()

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def post(self, request):
        data = validated(CampaignInputSerializer, request.data)
        campaign = services.campaign_create(
            actor=request.user, proposal_id=data["proposal"], template_slug=data["template"], goal=data["goal"],
            title=data["title"], contribution_mode=data["contribution_mode"],
            target_district_codes=data["target_districts"], target_features=data["target_features"])
        campaign = selectors.campaign_access(user=request.user, campaign_id=campaign.pk)
        return Response(CampaignSerializer(campaign, context={"request": request}).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CampaignSerializer)
    def get(self, request, pk: int):
        campaign = selectors.campaign_access(user=request.user, campaign_id=pk)
        return Response(CampaignSerializer(campaign, context={"request": request}).data)


# --- open evaluation ------------------------------------------------------------------------------

class EvaluatorMeApi(APIView):
    """GET: am I a volunteer evaluator? POST: volunteer for citizen evaluation groups. DELETE: stop."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EvaluatorStatusSerializer)
    def get(self, request):
        return Response(EvaluatorStatusSerializer(selectors.evaluator_status(user=request.user)).data)

    @extend_schema(request=None, responses={201: EvaluatorStatusSerializer})
    def post(self, request):
        services.evaluator_join(user=request.user)
        return Response(EvaluatorStatusSerializer(selectors.evaluator_status(user=request.user)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EvaluatorStatusSerializer)
    def delete(self, request):
        services.evaluator_leave(user=request.user)
        return Response(EvaluatorStatusSerializer(selectors.evaluator_status(user=request.user)).data)


class EvaluationDetailApi(APIView):
    """A proposal's evaluation in the open: the reproducible draw, each step's time, scores, the outcome."""

    permission_classes = [AllowAny]

    @extend_schema(responses=EvaluationSerializer)
    def get(self, request, pk: int):
        return Response(EvaluationSerializer(selectors.evaluation_access(user=request.user, proposal_id=pk)).data)


class EvaluationScoreApi(APIView):
    """A drawn volunteer gives their one structured score and comment."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ScoreInputSerializer, responses={201: EvaluationSerializer})
    def post(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        data = validated(ScoreInputSerializer, request.data)
        services.seat_score(proposal=proposal, user=request.user, **data)
        return Response(EvaluationSerializer(selectors.evaluation_access(user=request.user, proposal_id=pk)).data,
                        status=status.HTTP_201_CREATED)


class CommitteeReviewApi(APIView):
    """A member of the city's committee (city staff) scores and comments."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=ReviewInputSerializer, responses={201: EvaluationSerializer})
    def post(self, request, pk: int):
        proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
        data = validated(ReviewInputSerializer, request.data)
        services.committee_review_add(proposal=proposal, actor=request.user, **data)
        return Response(EvaluationSerializer(selectors.evaluation_access(user=request.user, proposal_id=pk)).data,
                        status=status.HTTP_201_CREATED)
