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


def test_the_editor_saves_over_the_socket_while_live_and_over_rest_when_it_is_not(page, login, shared_map):
    m, owner, _editor = shared_map
    f = feature_create(map_obj=m, actor=owner, geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": list(SPOT)})),
                       name="처음 이름")
    writes = []
    page.on("request", lambda r: writes.append(r.method) if "/features/" in r.url and r.method != "GET" else None)
    login(page, owner)
    open_editor(page, m.pk)
    select_center(page)
    page.get_by_label("이름").fill("소켓으로 저장")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_selector("#feature-form[data-saved='2']")
    f.refresh_from_db()
    assert (f.name, f.version) == ("소켓으로 저장", 2)
    assert writes == []  # the operation went over the socket, not the REST API
    # The socket stops: the next save goes over REST, based on the version the socket's ack returned.
    page.evaluate("window.gpLive.stop()")
    page.wait_for_function("document.body.dataset.live === 'closed'", timeout=2000)
    page.get_by_label("이름").fill("REST로 저장")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_selector("#feature-form[data-saved='3']")
    f.refresh_from_db()
    assert (f.name, f.version) == ("REST로 저장", 3)
    assert writes == ["PATCH"]


RECORD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__states = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const record = { url, opened: performance.now(), closed: null, messages: [] };
      window.__sockets.push(record);
      this.addEventListener("message", (event) => record.messages.push(JSON.parse(event.data)));
      this.addEventListener("close", () => { record.closed = performance.now(); });
    }
  };
  new MutationObserver(() => {
    const state = document.body.dataset.live;
    if (state && window.__states[window.__states.length - 1] !== state) window.__states.push(state);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-live"] });
})();
"""


def _on_server(coroutine_function):
    """Run a coroutine in the live server's event loop (the loop of the process's one live hub)."""
    import asyncio

    from live import hub

    loop, found = next((loop, h) for loop, h in hub._hubs.items() if not loop.is_closed())
    return asyncio.run_coroutine_threadsafe(coroutine_function(found), loop).result(timeout=10)


def test_a_viewer_sees_who_is_here_and_after_the_server_drops_its_socket_reconnects_and_gets_what_it_missed(
        phone_page, make_user, seoul, live_server):
    from rest_framework.authtoken.models import Token
    from websockets.sync.client import connect

    page = phone_page
    owner = make_user("minji", first_name="민지")
    m = map_create(owner=owner, title="망원동 공개 지도")
    page.add_init_script(RECORD_SOCKETS)
    page.goto(f"/maps/{m.pk}/#15/{SPOT[1]}/{SPOT[0]}")
    page.wait_for_function("document.body.dataset.mapReady === 'true' && document.body.dataset.live === 'live'",
                           timeout=20000)
    assert page.get_by_test_id("live-state").inner_text() == "실시간"
    # Someone signed in opens the map: the viewer sees their display name as a chip (and never itself).
    token = Token.objects.get_or_create(user=owner)[0].key
    with connect(f"{live_server.ws_url}/ws/maps/{m.pk}/", additional_headers={"Authorization": f"Token {token}"}):
        page.wait_for_function("(name) => document.getElementById('live-presence').textContent.includes(name)",
                               arg=owner.public_name, timeout=3000)
        assert page.locator("#live-presence .chip").count() == 1
    page.wait_for_function("document.getElementById('live-presence').textContent === ''", timeout=3000)

    # The server stops delivering to the page's socket (a network that drops frames), two features are added,
    # then the server closes the socket: the page reconnects with backoff and gets exactly what it missed.
    seen = page.evaluate("window.gpLive.revision")

    async def cut(h):
        sockets = list(h.sockets[m.pk])
        for consumer in sockets:
            h.sockets[m.pk].discard(consumer)
        return sockets

    cut_off = _on_server(cut)
    assert len(cut_off) == 1
    missed = [feature_create(map_obj=m, actor=owner, name=name,
                             geom=GEOSGeometry(json.dumps({"type": "Point", "coordinates": list(SPOT)})))
              for name in ("놓친 첫째", "놓친 둘째")]

    async def drop(h):
        for consumer in cut_off:
            await consumer.close(code=1012)

    _on_server(drop)
    page.wait_for_function("window.__states.includes('reconnecting') && document.body.dataset.live === 'live'",
                           timeout=10000)
    assert page.evaluate("window.__states.slice(-2)") == ["reconnecting", "live"]
    page.wait_for_function("(r) => window.gpLive.revision >= r", arg=seen + 2, timeout=10000)
    sockets = page.evaluate("window.__sockets")
    assert len(sockets) == 2
    first, second = sockets
    assert f"since={seen}" in second["url"]
    assert second["opened"] - first["closed"] >= 300  # backoff: not at once
    assert [(msg["type"], msg["id"]) for msg in second["messages"] if msg["type"].startswith("feature.")] == [
        ("feature.created", f.pk) for f in missed]
    assert not any(msg["type"].startswith("feature.") for msg in first["messages"])


def test_a_running_analysis_shows_its_progress_from_the_socket_and_polls_only_without_it(page, login, make_user):
    from analysis.models import Analysis
    from analysis.services import analysis_create
    from jobs.services import job_create, job_finish, job_progress
    from layers.opendata import opendata_load

    opendata_load("seoul_public_libraries")
    analyst = make_user("analyst", role="analyst")
    analysis = analysis_create(user=analyst, name="도서관 핫스팟", method="hotspot",
                               parameters={"source": "dataset-seoul_public_libraries", "bandwidth_m": 1500,
                                           "cell_size_m": 250, "hex_size_m": 2000})
    job = job_create(kind="analysis", created_by=analyst, total=4, message="대기 중")
    Analysis.objects.filter(pk=analysis.pk).update(job=job, status=Analysis.Status.RUNNING)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/api/jobs/" in r.url else None)
    login(page, analyst)
    page.goto(f"/analysis/{analysis.pk}/")
    page.wait_for_function("document.body.dataset.liveMe === 'live'", timeout=10000)
    bar = "document.querySelector('[data-testid=job-progress] progress')"
    job_progress(job=job, progress=2, message="계산 중")
    # Generous for a loaded machine: a poll would be seen below (no polling while the socket is live).
    page.wait_for_function(f"{bar}.value === 50 && document.querySelector('[data-testid=job-progress]').innerText"
                           ".includes('계산 중')", timeout=10000)
    page.wait_for_timeout(3500)  # longer than the polling period
    assert len(polls) <= 1  # at most the one look when the socket said hello: no polling while it is live

    # Without the socket the page polls, and still follows the job to its end (then shows the finished page).
    page.evaluate("window.gpLiveMe.stop()")
    page.wait_for_function("document.body.dataset.liveMe === 'closed'", timeout=2000)
    job_progress(job=job, progress=3, message="결과 저장 중")
    page.wait_for_function(f"{bar}.value === 75", timeout=5000)
    assert len(polls) >= 2
    Analysis.objects.filter(pk=analysis.pk).update(status=Analysis.Status.SUCCEEDED)
    with page.expect_navigation(timeout=8000):
        job_finish(job=job, result={})
    page.wait_for_load_state()
    assert page.get_by_test_id("job-progress").count() == 0
