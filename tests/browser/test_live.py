"""Live maps in two browsers: others' edits appear without a reload, concurrent edits merge, the same
field changed by both shows the later one both values, revoked links close the socket, and a private map
refuses a stranger's socket."""
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry

from maps.models import Feature, FeatureVersion
from maps.services import collaborator_set, feature_create, map_create, secret_link_rotate

from .conftest import expect_console_errors, expect_http_errors

pytestmark = pytest.mark.browser

SPOT = (126.9063, 37.5560)  # 망원시장


def open_editor(page, map_id, at=SPOT):
    page.goto(f"/maps/{map_id}/edit/#17/{at[1]}/{at[0]}")
    page.wait_for_function("document.body.dataset.editorReady === 'true' && document.body.dataset.live === 'live'",
                           timeout=20000)


def select_center(page):
    page.get_by_role("button", name="✥ 선택·편집").click()
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#feature-form:not([hidden])")


def wait_revision(page, revision):
    page.wait_for_function("(r) => window.gpLive && window.gpLive.revision >= r", arg=revision, timeout=2000)


@pytest.fixture
def shared_map(make_user, seoul):
    owner, editor = make_user("minji"), make_user("jihoon")
    m = map_create(owner=owner, title="망원동 함께 쓰는 지도", contribution_mode="editors")
    collaborator_set(map_obj=m, actor=owner, user=editor, role="editor")
    return m, owner, editor


def test_b_sees_the_point_a_draws_within_a_second_without_a_reload(page, other_page, login, shared_map):
    m, owner, editor = shared_map
    login(page, owner)
    login(other_page, editor)
    open_editor(page, m.pk)
    open_editor(other_page, m.pk)
    assert other_page.evaluate("window.gpDraw.getSnapshot().length") == 0
    # B sees A among the people on the map.
    other_page.wait_for_function("(name) => document.getElementById('live-presence').textContent.includes(name)",
                                 arg=owner.public_name, timeout=3000)

    page.get_by_role("button", name="● 점").click()
    box = page.locator("#map canvas.maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + 200, box["y"] + 200)
    page.wait_for_selector("#feature-form:not([hidden])")
    assert Feature.objects.filter(map=m).count() == 1
    other_page.wait_for_function("window.gpDraw.getSnapshot().filter(f => f.properties.mode === 'point').length === 1",
                                 timeout=1000)
    assert other_page.evaluate("document.body.dataset.live") == "live"


def test_a_and_b_change_different_fields_of_one_feature_and_both_survive(page, other_page, login, shared_map):
    m, owner, editor = shared_map
    f = feature_create(map_obj=m, actor=owner, geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": list(SPOT)})),
                       name="망원시장 뒤 골목", description="")
    login(page, owner)
    login(other_page, editor)
    open_editor(page, m.pk)
    open_editor(other_page, m.pk)
    select_center(page)
    select_center(other_page)
    # B starts typing a description; meanwhile A renames the feature and saves first.
    other_page.get_by_label("설명").fill("가로등이 두 개 꺼져 있음")
    page.get_by_label("이름").fill("망원시장 북쪽 골목")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_selector("#feature-form[data-saved]")
    wait_revision(other_page, 2)
    # B's form keeps what B typed; B saves from the older version: the server merges both.
    assert other_page.get_by_label("설명").input_value() == "가로등이 두 개 꺼져 있음"
    other_page.get_by_role("button", name="저장", exact=True).click()
    other_page.wait_for_selector("#feature-form[data-saved]")
    assert other_page.locator("dialog[data-testid=conflict-dialog]").count() == 0
    f.refresh_from_db()
    assert (f.name, f.description, f.version) == ("망원시장 북쪽 골목", "가로등이 두 개 꺼져 있음", 3)
    assert other_page.get_by_label("이름").input_value() == "망원시장 북쪽 골목"
    # And A's open form shows B's description without a reload.
    page.wait_for_function("document.getElementById('f-description').value === '가로등이 두 개 꺼져 있음'", timeout=2000)


def test_a_and_b_change_the_same_field_and_the_later_one_is_shown_both_values(page, other_page, login, shared_map):
    m, owner, editor = shared_map
    f = feature_create(map_obj=m, actor=owner, geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": list(SPOT)})),
                       name="망원시장 뒤 골목")
    login(page, owner)
    login(other_page, editor)
    open_editor(page, m.pk)
    open_editor(other_page, m.pk)
    select_center(page)
    select_center(other_page)
    # A's page shows a marker on the feature B is editing.
    page.wait_for_selector(f"[data-testid=editing-marker][data-feature='{f.pk}']", timeout=3000)
    other_page.get_by_label("이름").fill("B가 붙인 이름")
    page.get_by_label("이름").fill("A가 붙인 이름")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_selector("#feature-form[data-saved]")
    wait_revision(other_page, 2)
    other_page.get_by_role("button", name="저장", exact=True).click()
    conflict = other_page.locator("dialog[data-testid=conflict-dialog]")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "A가 붙인 이름" in text and "B가 붙인 이름" in text
    expect_http_errors(other_page, 409)
    f.refresh_from_db()
    assert (f.name, f.version) == ("A가 붙인 이름", 2)
    # Not modal: B can still use the page; B keeps their own value, based on A's version.
    conflict.get_by_role("button", name="내 내용으로 덮어쓰기").click()
    other_page.wait_for_selector("#feature-form[data-saved]")
    f.refresh_from_db()
    assert (f.name, f.version) == ("B가 붙인 이름", 3)
    names = [v.after["properties"]["name"] for v in FeatureVersion.objects.filter(feature_id=f.pk).order_by("pk")]
    assert names == ["망원시장 뒤 골목", "A가 붙인 이름", "B가 붙인 이름"]


def test_a_socket_held_through_a_secret_link_is_closed_when_the_link_is_rotated(page, make_user, seoul):
    owner = make_user("minji")
    m = map_create(owner=owner, title="링크로 나누는 지도", visibility="unlisted")
    page.goto(f"/maps/{m.pk}/?key={m.view_key}")
    page.wait_for_function("document.body.dataset.mapReady === 'true' && document.body.dataset.live === 'live'",
                           timeout=20000)
    secret_link_rotate(map_obj=m, actor=owner, kind="view")
    page.wait_for_function("document.body.dataset.live === 'closed'", timeout=1000)
    assert page.get_by_test_id("live-state").inner_text() == "실시간 연결 끊김"


def test_a_signed_in_stranger_cannot_join_a_private_maps_socket(page, login, make_user, seoul):
    owner, stranger = make_user("minji"), make_user("stranger")
    m = map_create(owner=owner, title="비공개 지도", visibility="private")
    login(page, stranger)
    outcome = page.evaluate(
        """(path) => new Promise((resolve) => {
            const ws = new WebSocket(`ws://${location.host}${path}`);
            let opened = false, messages = 0;
            ws.onopen = () => { opened = true; };
            ws.onmessage = () => { messages += 1; };
            ws.onclose = (event) => resolve({opened, messages, code: event.code});
        })""", f"/ws/maps/{m.pk}/")
    assert outcome == {"opened": False, "messages": 0, "code": 1006}
    expect_console_errors(page, "WebSocket")


def gangnam_report(reporter, category, text="11번 출구 앞 보도블록이 깨졌습니다"):
    from reports.services import report_create

    return report_create(reporter=reporter, category=category, description=text,
                         geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": [127.048950, 37.504503]}), srid=4326))  # 선릉역, Gangnam-gu


def test_an_officer_queue_shows_a_new_report_in_their_district_without_a_reload(
        page, login, gangnam_officer, citizen, report_categories):
    login(page, gangnam_officer)
    page.goto("/review/")
    page.wait_for_function("document.body.dataset.mapReady === 'true' && document.body.dataset.liveMe === 'live'",
                           timeout=20000)
    assert page.locator(".queue-item").count() == 0
    category = next(iter(report_categories.values()))
    report = gangnam_report(citizen, category)
    page.wait_for_selector(f".queue-item[data-report-id='{report.pk}']", timeout=3000)


def test_the_reporter_sees_a_status_change_and_its_message_without_a_reload(
        page, login, gangnam_officer, citizen, report_categories):
    from reports.services import report_status_change

    category = next(iter(report_categories.values()))
    report = gangnam_report(citizen, category)
    login(page, citizen)
    page.goto(f"/reports/{report.pk}/")
    page.wait_for_function("document.body.dataset.mapReady === 'true' && document.body.dataset.liveMe === 'live'",
                           timeout=20000)
    assert page.evaluate("document.body.dataset.reportStatus") == "submitted"
    report_status_change(report=report, actor=gangnam_officer, status="acknowledged", message="내일 보수하겠습니다.")
    page.wait_for_function("document.body.dataset.reportStatus === 'acknowledged'", timeout=3000)
    assert "내일 보수하겠습니다." in page.locator("#timeline").inner_text()
    page.wait_for_selector("#notif-badge:not([hidden])", timeout=3000)


def test_a_viewer_of_a_public_map_sees_a_new_feature_appear_without_a_reload(page, make_user, seoul):
    from .conftest import rendered, wait_for_map

    owner = make_user("minji")
    m = map_create(owner=owner, title="망원동 공개 지도")
    feature_create(map_obj=m, actor=owner, geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": list(SPOT)})),
                   name="첫 번째")
    page.goto(f"/maps/{m.pk}/#15/{SPOT[1]}/{SPOT[0]}")
    page.wait_for_function("document.body.dataset.mapReady === 'true' && document.body.dataset.live === 'live'",
                           timeout=20000)
    wait_for_map(page)
    assert {f["name"] for f in rendered(page, f"gp-map-{m.pk}")} == {"첫 번째"}
    feature_create(map_obj=m, actor=owner, name="두 번째",
                   geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": [SPOT[0] + 0.001, SPOT[1]]})))
    page.wait_for_function(
        "(s) => new Set(window.gpMap.queryRenderedFeatures().filter(f => f.source === s).map(f => f.properties.name)).size === 2",
        arg=f"gp-map-{m.pk}", timeout=3000)
