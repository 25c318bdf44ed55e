"""Moderating content in the browser: the owner of a moderated map approves and rejects citizens'
suggestions in the editor's panel (the approved point then comes from the tiles for everybody), and
citizens flag a map feature and a report until the feature is hidden and waits in staff's queue."""
import datetime

import pytest
from django.utils import timezone

from maps.models import Feature
from moderation.models import Flag

from .conftest import expect_http_errors, rendered, wait_for_map

pytestmark = pytest.mark.browser

MANGWON = (126.9063, 37.5560)
HAPJEONG = (126.9136, 37.5497)


def point(name, lonlat, category="dark_alley"):
    return {"type": "Feature", "properties": {"name": name, "category": category},
            "geometry": {"type": "Point", "coordinates": list(lonlat)}}


def click_centre(page):
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def sign_in_as(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def test_owner_approves_a_suggestion_in_the_editor_and_visitors_then_see_it_from_tiles(
        page, phone_page, citizen, citizen2, client_for, login, map_templates):
    map_id = client_for(citizen).post("/api/maps/", {"title": "망원동 밤길 제안 지도", "template": "safety",
                                                     "contribution_mode": "moderated"}, format="json").json()["id"]
    suggester = client_for(citizen2)
    kept = suggester.post(f"/api/maps/{map_id}/features/", point("망원시장 뒤 어두운 골목", MANGWON), format="json").json()
    dropped = suggester.post(f"/api/maps/{map_id}/features/", point("합정역 공사장 옆", HAPJEONG), format="json").json()
    assert kept["properties"]["status"] == dropped["properties"]["status"] == "pending"

    # An anonymous visitor does not see pending suggestions.
    anonymous = phone_page
    anonymous.goto(f"/maps/{map_id}/#16/{MANGWON[1]}/{MANGWON[0]}")
    wait_for_map(anonymous)
    assert rendered(anonymous, f"gp-map-{map_id}") == []

    login(page, citizen)
    page.goto(f"/maps/{map_id}/edit/#12/{MANGWON[1]}/{MANGWON[0]}")
    page.wait_for_function("document.body.dataset.editorReady === 'true'", timeout=20000)
    panel = page.get_by_role("region", name="제안")
    page.wait_for_selector("#suggestions-panel[data-loaded=true]")
    assert panel.get_by_role("status").inner_text() == "검토 대기 2건"
    row = panel.locator(f"li[data-feature-id='{kept['id']}']")
    assert "망원시장 뒤 어두운 골목" in row.inner_text() and "어두운 골목" in row.locator(".badge").inner_text()

    # Zoom to it, then approve it.
    panel.get_by_role("button", name="위치 보기: 망원시장 뒤 어두운 골목").click()
    centre = page.evaluate("(() => { const c = window.gpMap.getCenter(); return [c.lng, c.lat, window.gpMap.getZoom()]; })()")
    assert abs(centre[0] - MANGWON[0]) < 1e-4 and abs(centre[1] - MANGWON[1]) < 1e-4 and centre[2] == pytest.approx(17)
    panel.get_by_role("button", name="승인: 망원시장 뒤 어두운 골목").click()
    page.wait_for_selector(f"#suggestions li[data-feature-id='{kept['id']}']", state="detached")
    assert Feature.objects.get(pk=kept["id"]).status == "published"
    assert panel.get_by_role("status").inner_text() == "검토 대기 1건"

    # Reject the other with a reason, in a small dialog.
    panel.get_by_role("button", name="반려: 합정역 공사장 옆").click()
    dialog = page.locator("dialog[data-testid=reject-dialog]")
    dialog.get_by_label("반려 사유 (선택)").fill("이미 다른 항목으로 있습니다")
    dialog.get_by_role("button", name="반려").click()
    page.wait_for_selector("#suggestions li", state="detached")
    assert panel.get_by_role("status").inner_text() == "검토할 제안이 없습니다."
    rejected = Feature.objects.get(pk=dropped["id"])
    assert (rejected.status, rejected.review_note) == ("rejected", "이미 다른 항목으로 있습니다")

    # The visitor reloads: the approved point comes from the map's tiles, the rejected one does not.
    anonymous.reload()
    wait_for_map(anonymous)
    anonymous.wait_for_function("(s) => window.gpMap.queryRenderedFeatures().some(f => f.source === s)",
                                arg=f"gp-map-{map_id}")
    drawn = rendered(anonymous, f"gp-map-{map_id}")
    assert [(f["name"], f["geometryType"]) for f in drawn] == [("망원시장 뒤 어두운 골목", "Point")]


def flag_in_popup(page, map_id, reason, comment=""):
    page.goto(f"/maps/{map_id}/#17/{MANGWON[1]}/{MANGWON[0]}")
    wait_for_map(page)
    click_centre(page)
    popup = page.locator(".maplibregl-popup .popup")
    popup.wait_for()
    popup.get_by_role("button", name="신고").click()
    dialog = page.get_by_role("dialog", name="콘텐츠 신고")
    dialog.get_by_role("radio", name=reason).check()
    if comment:
        dialog.get_by_label("설명 (선택)").fill(comment)
    dialog.get_by_role("button", name="신고 보내기").click()
    return dialog, popup


def test_three_citizens_flag_a_feature_from_its_pop_up_and_it_leaves_the_map_for_staffs_queue(
        page, phone_page, citizen, citizen2, make_user, staff, client_for, login, map_templates):
    map_id = client_for(citizen).post("/api/maps/", {"title": "망원동 안전 지도", "template": "safety"},
                                      format="json").json()["id"]
    fid = client_for(citizen).post(f"/api/maps/{map_id}/features/", point("망원시장 뒤 골목", MANGWON),
                                   format="json").json()["id"]

    # Anonymous visitors are asked to sign in instead.
    anonymous = phone_page
    anonymous.goto(f"/maps/{map_id}/#17/{MANGWON[1]}/{MANGWON[0]}")
    wait_for_map(anonymous)
    box = anonymous.locator("#map canvas.maplibregl-canvas").bounding_box()
    anonymous.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = anonymous.locator(".maplibregl-popup .popup").get_by_role("link", name="로그인하고 콘텐츠 신고하기")
    link.wait_for()
    assert link.get_attribute("href") == f"/accounts/login/?next=%2Fmaps%2F{map_id}%2F"
    assert anonymous.locator(".maplibregl-popup").get_by_role("button", name="신고").count() == 0

    flaggers = [citizen2, make_user("seoyeon"), make_user("dohyun")]
    # Flags weigh by trust (issue 16): these three have confirmed e-mail and accounts older than a week.
    settled = timezone.now() - datetime.timedelta(days=10)
    for user in flaggers:
        user.email = user.email or f"{user.username}@example.org"
        user.email_verified_at, user.date_joined = settled, settled
        user.save(update_fields=["email", "email_verified_at", "date_joined"])
    reasons = ["사실과 다름", "스팸·광고", "개인정보 노출"]
    for number, (user, reason) in enumerate(zip(flaggers, reasons), start=1):
        sign_in_as(page, login, user)
        dialog, popup = flag_in_popup(page, map_id, reason, comment="전화번호가 적혀 있어요" if number == 3 else "")
        thanks = dialog.get_by_role("status")
        thanks.wait_for()
        assert thanks.inner_text() == "신고해 주셔서 감사합니다. 담당자가 검토하겠습니다."
        assert Flag.objects.filter(target_type="feature", target_id=fid).count() == number
        if number == 1:
            # A second flag by the same person: the server refuses and the dialog says why.
            dialog.get_by_role("button", name="닫기").first.click()
            popup.get_by_role("button", name="신고").click()
            again = page.get_by_role("dialog", name="콘텐츠 신고")
            again.get_by_role("radio", name="욕설·혐오").check()
            again.get_by_role("button", name="신고 보내기").click()
            refusal = again.get_by_role("alert")
            refusal.wait_for()
            assert "이미 신고한 콘텐츠입니다" in refusal.inner_text()
            expect_http_errors(page, 400)
            assert Flag.objects.filter(target_type="feature", target_id=fid).count() == 1
            assert not Feature.objects.get(pk=fid).is_hidden

    # The third distinct flagger hides it: their map fetches the tiles again and it is gone.
    assert Feature.objects.get(pk=fid).is_hidden
    assert Flag.objects.get(user=flaggers[2]).comment == "전화번호가 적혀 있어요"
    page.wait_for_function("(s) => !window.gpMap.queryRenderedFeatures().some(f => f.source === s)",
                           arg=f"gp-map-{map_id}")
    anonymous.reload()
    wait_for_map(anonymous)
    assert rendered(anonymous, f"gp-map-{map_id}") == []

    # City staff find it in the moderation queue, hidden, with the three flags.
    sign_in_as(page, login, staff)
    page.goto("/moderation/")
    card = page.locator(f"[data-target='feature-{fid}']")
    card.wait_for()
    text = card.inner_text()
    assert "신고한 사람 3" in text and "숨김" in text
    assert all(reason in text for reason in ["사실과 다름", "스팸", "개인정보"])


def test_citizens_flag_a_report_from_its_page_but_not_their_own(
        page, citizen, citizen2, client_for, login, report_categories):
    report_id = client_for(citizen).post("/api/reports/", {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [127.04895, 37.504503]},
        "properties": {"category": "sidewalk_damage", "description": "선릉역 1번 출구 보도블록 파손"}},
        format="json").json()["id"]

    page.goto(f"/reports/{report_id}/")
    page.wait_for_selector("#report-flag a")
    assert page.get_by_role("link", name="로그인하고 콘텐츠 신고하기").is_visible()

    login(page, citizen)
    page.goto(f"/reports/{report_id}/")
    page.wait_for_selector("#timeline li")
    assert page.locator("#report-flag").inner_text() == ""

    sign_in_as(page, login, citizen2)
    page.goto(f"/reports/{report_id}/")
    page.get_by_role("button", name="신고", exact=True).click()
    dialog = page.get_by_role("dialog", name="콘텐츠 신고")
    dialog.get_by_role("button", name="신고 보내기").click()
    assert dialog.get_by_role("alert").inner_text() == "사유를 고르세요."
    dialog.get_by_role("radio", name="욕설·혐오").check()
    dialog.get_by_role("button", name="신고 보내기").click()
    dialog.get_by_role("status").wait_for()
    flag = Flag.objects.get(target_type="report", target_id=report_id)
    assert (flag.user, flag.reason) == (citizen2, "abuse")
