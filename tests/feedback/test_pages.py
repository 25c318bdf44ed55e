"""The /roadmap/ page and the admin: counts people, never names them; triage only for staff."""
import pytest
from django.test import Client

from feedback import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def wish(citizen, citizen2, staff):
    wish = services.feedback_create(author=citizen, kind="wish", text="캠페인 알림을 받고 싶어요")
    services.feedback_support(feedback=wish, user=citizen2)
    services.feedback_triage(feedback=wish, actor=staff, state="planned", answer="1월에 만듭니다.")
    services.feedback_create(author=citizen2, kind="bug", text="지도 검색이 느려요")
    return wish


def _get(path, user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_roadmap_page_counts_people_and_never_names_them(wish, staff):
    page = _get("/roadmap/")
    assert "캠페인 알림을 받고 싶어요" in page and "1월에 만듭니다." in page
    assert '<strong data-people>2</strong>명이 요청했습니다' in page
    assert "minji" not in page and "jihoon" not in page
    assert "data-triage" not in page
    assert "data-triage" in _get("/roadmap/", user=staff)


def test_the_admin_shows_feedback_read_only_without_its_author(wish, make_user):
    admin = make_user("boss", role="admin")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/feedback/feedback/").status_code == 200
    page = client.get(f"/admin/feedback/feedback/{wish.pk}/change/").content.decode()
    assert "캠페인 알림을 받고 싶어요" in page and "minji" not in page
    assert client.get("/admin/feedback/feedback/add/").status_code == 403
