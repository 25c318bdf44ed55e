"""Sign-up, sign-in, sign-out and the language switch, through the real pages in Chromium."""
import re

import pytest
from django.contrib.auth import get_user_model

from .conftest import sign_up

pytestmark = pytest.mark.browser


def test_citizen_signs_up_confirms_the_email_and_signs_in_as_a_citizen(page, login):
    from django.core import mail

    page.goto("/accounts/signup/?next=/accounts/")
    sign_up(page, "seoyeon", "hangang-night-walk-77")
    assert page.locator("#signup-done").is_visible()
    link = re.search(r"(/accounts/verify/[^\s]+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    assert page.locator("#email-verified").is_visible()
    user = get_user_model().objects.get(username="seoyeon")
    assert user.role == "citizen" and user.email == "seoyeon@example.org" and user.email_verified
    login(page, user, "hangang-night-walk-77")
    assert page.locator(".account-link").inner_text() == "seoyeon"


def test_signup_shows_the_password_rules_the_server_applies(page, citizen):
    page.goto("/accounts/signup/")
    page.get_by_label("아이디").fill(citizen.username)
    page.get_by_label("이메일").fill("x@example.org")
    page.get_by_label("비밀번호", exact=True).fill("12345678")
    page.get_by_label("비밀번호 확인").fill("12345678")
    page.click("button[type=submit]")
    errors = page.locator(".field-error").all_inner_texts()
    assert not any("사용 중" in e for e in errors), errors  # a taken name is never said (no enumeration)
    assert any("숫자" in e or "numeric" in e.lower() for e in errors), errors
    assert get_user_model().objects.count() == 1


def test_sign_in_with_a_wrong_password_says_so_and_sign_out_works(page, citizen, login):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", citizen.username)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator(".form-error").is_visible()
    login(page, citizen)
    assert page.locator(".account-link").inner_text() == citizen.username
    page.get_by_test_id("sign-out").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".account-link").count() == 0
    assert page.get_by_role("link", name="로그인").is_visible()


def test_language_switch_turns_the_interface_to_english_and_back(page):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.get_by_role("button", name="한국어").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="로그인").is_visible()


def test_review_and_moderation_pages_are_refused_to_citizens(page, citizen, login):
    login(page, citizen)
    assert page.get_by_role("link", name="검토").count() == 0
    assert page.get_by_role("link", name="관리").count() == 0
    for path in ("/review/", "/moderation/"):
        response = page.request.get(path)
        assert response.status == 403
        assert "이 페이지를 볼 권한이 없습니다" in response.text()


def test_the_header_badge_shows_the_unread_count_and_99_plus_above_99(page, citizen, login):
    from notifications.models import Notification

    def add_unread(n):
        Notification.objects.bulk_create([Notification(user=citizen, kind="test", title=f"n{i}") for i in range(n)])

    add_unread(7)
    login(page, citizen)
    page.goto("/")
    badge = page.locator("#notif-badge:not([hidden])")
    badge.wait_for()
    assert (badge.inner_text(), badge.get_attribute("title")) == ("7", "읽지 않은 알림 7건")
    add_unread(1193)  # an officer's inbox: every report of their district
    page.reload()
    badge.wait_for()
    assert (badge.inner_text(), badge.get_attribute("title")) == ("99+", "읽지 않은 알림 1,200건")
    # above 100,000 the server does not count them (unread is null): still "99+"
    page.route("**/api/notifications/?unread=1&limit=1", lambda route: route.fulfill(
        json={"count": None, "next": None, "previous": None, "results": [], "unread": None}))
    page.reload()
    badge.wait_for()
    assert (badge.inner_text(), badge.get_attribute("title")) == ("99+", "읽지 않은 알림 100,000+건")
