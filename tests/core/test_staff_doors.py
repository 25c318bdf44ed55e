"""Who may call a path at all is checked once, at its door.

The services behind city staff's writes no longer ask whether the actor is staff (tests/core/test_one_door.py
forbids it), so each of them must stay behind a view whose permission class refuses everyone else: a citizen is
refused before any object is read or any input judged (403, the one message, in the reader's language).
"""
import pytest
from django.urls import get_resolver

from accounts.permissions import IsCityStaff

# The API views in front of services that trust their door for "city staff only".
STAFF_DOORS = {
    "ReportCategoryListApi", "ReportCategoryDetailApi", "FlagDecideApi", "BanApi", "IndicatorListApi",
    "IndicatorImportApi", "IndicatorRefreshApi", "FeedbackReplyApi", "CommentModerateApi", "ProposalModerateApi",
    "ProposalAnswerApi", "CommitteeReviewApi", "RoundListApi", "RoundCloseApi", "CampaignListApi", "FeedbackTriageApi",
    "ProjectListApi", "ProjectImportApi", "ProjectDetailApi", "ProjectUpdateListApi", "ProposalDecisionApi",
}

# One write through each of them (ids that need not exist: the door answers first).
STAFF_WRITES = [
    ("post", "/api/reports/categories/"), ("patch", "/api/reports/categories/pothole/"),
    ("post", "/api/moderation/flags/report/1/"), ("post", "/api/moderation/bans/"),
    ("post", "/api/indicators/"), ("post", "/api/indicators/1/import/"), ("post", "/api/indicators/1/refresh/"),
    ("post", "/api/indicators/1/feedback/1/reply/"),
    ("post", "/api/proposals/1/comments/1/moderate/"), ("post", "/api/proposals/1/moderate/"),
    ("post", "/api/proposals/1/answer/"), ("post", "/api/proposals/1/evaluation/review/"),
    ("post", "/api/proposals/1/decision/"), ("post", "/api/rounds/"), ("post", "/api/rounds/1/close/"),
    ("post", "/api/campaigns/"), ("post", "/api/feedback/1/triage/"),
    ("post", "/api/projects/"), ("post", "/api/projects/import/"), ("patch", "/api/projects/1/"),
    ("post", "/api/projects/1/updates/"),
]


def _api_views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _api_views(pattern.url_patterns)
        else:
            view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            if view is not None:
                yield view


def test_every_door_before_a_staff_only_service_lets_only_city_staff_write():
    gated = {view.__name__ for view in _api_views(get_resolver().url_patterns)
             if any(issubclass(permission, IsCityStaff) for permission in getattr(view, "permission_classes", ()))}
    assert STAFF_DOORS <= gated


def test_the_writes_sample_every_staff_door():
    from django.urls import resolve

    reached = {resolve(path).func.view_class.__name__ for _method, path in STAFF_WRITES}
    assert reached == STAFF_DOORS


@pytest.mark.django_db
@pytest.mark.parametrize("language,message", [("en", "Only city staff may do this."), ("ko", "서울시 담당자만 할 수 있습니다.")])
@pytest.mark.parametrize("method,path", STAFF_WRITES)
def test_a_citizen_is_refused_at_the_door_of_every_staff_only_write(method, path, language, message, citizen,
                                                                    client_for):
    citizen.preferred_language = language
    citizen.save(update_fields=["preferred_language"])
    answer = getattr(client_for(citizen), method)(path, {"state": "planned", "hidden": True, "reason": "x"},
                                                  format="json")
    assert (answer.status_code, answer.json()) == (403, {"detail": message})
