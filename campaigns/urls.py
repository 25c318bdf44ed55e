from django.urls import path

from . import api

urlpatterns = [
    path("proposals/", api.ProposalListApi.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", api.ProposalDetailApi.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/vote/", api.ProposalVoteApi.as_view(), name="proposal-vote"),
    path("proposals/<int:pk>/comments/", api.ProposalCommentListApi.as_view(), name="proposal-comments"),
    path("proposals/<int:pk>/comments/<int:cid>/", api.ProposalCommentDetailApi.as_view(), name="proposal-comment-detail"),
    path("proposals/<int:pk>/comments/<int:cid>/moderate/", api.CommentModerateApi.as_view(),
         name="proposal-comment-moderate"),
    path("proposals/<int:pk>/moderate/", api.ProposalModerateApi.as_view(), name="proposal-moderate"),
    path("proposals/<int:pk>/answer/", api.ProposalAnswerApi.as_view(), name="proposal-answer"),
    path("proposals/<int:pk>/evaluation/", api.EvaluationDetailApi.as_view(), name="proposal-evaluation"),
    path("proposals/<int:pk>/evaluation/score/", api.EvaluationScoreApi.as_view(), name="proposal-evaluation-score"),
    path("proposals/<int:pk>/evaluation/review/", api.CommitteeReviewApi.as_view(), name="proposal-evaluation-review"),
    path("evaluators/me/", api.EvaluatorMeApi.as_view(), name="evaluator-me"),
    path("rounds/", api.RoundListApi.as_view(), name="round-list"),
    path("rounds/<int:pk>/", api.RoundDetailApi.as_view(), name="round-detail"),
    path("rounds/<int:pk>/close/", api.RoundCloseApi.as_view(), name="round-close"),
    path("campaigns/", api.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", api.CampaignDetailApi.as_view(), name="campaign-detail"),
]
