"""Platform feedback: public states with reasons, private screenshots, a roadmap that counts people."""
import io
import os

from PIL import Image

from audit.models import AuditLog
from feedback.models import Feedback, FeedbackSupport
from tests.conftest import korean_only


def _send(client, **extra):
    body = {"kind": "wish", "text": "지도에서 내 위치로 바로 가는 버튼이 있으면 좋겠어요.", "page_url": "/maps/3/", **extra}
    return client.post("/api/feedback/", body, format="multipart" if "screenshot" in extra else "json")


def _jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (640, 400), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (37.0, 34.0, 0.0), 3: "E", 4: (126.0, 58.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(0x8825)
    buffer.seek(0)
    buffer.name = "screen.jpg"
    return buffer


def test_feedback_moves_through_its_public_states_and_reaches_the_roadmap_by_count(
        citizen, citizen2, voters, staff, client_for, api):
    wish = _send(client_for(citizen)).json()
    bug = _send(client_for(citizen2), kind="bug", text="신고 화면에서 사진 올리기가 멈춰요.").json()
    odd = _send(client_for(voters[0]), kind="confusing", text="검색 결과 순서가 이상합니다.").json()
    assert wish["state"] == "new" and wish["people"] == 1
    for voter in voters[1:4]:
        assert client_for(voter).post(f"/api/feedback/{wish['id']}/support/").status_code == 201
    assert client_for(voters[1]).post(f"/api/feedback/{wish['id']}/support/").status_code == 200  # once per person
    assert client_for(voters[2]).post(f"/api/feedback/{bug['id']}/support/").status_code == 201

    staff_api = client_for(staff)
    assert client_for(citizen).post(f"/api/feedback/{wish['id']}/triage/", {"state": "planned"},
                                    format="json").status_code == 403
    planned = staff_api.post(f"/api/feedback/{wish['id']}/triage/",
                             {"state": "planned", "answer": "12월 업데이트에 넣겠습니다. / Coming in December."},
                             format="json")
    assert planned.status_code == 200 and planned.json()["state"] == "planned"
    assert staff_api.post(f"/api/feedback/{bug['id']}/triage/", {"state": "done", "answer": "고쳤습니다."},
                          format="json").status_code == 200
    no_reason = staff_api.post(f"/api/feedback/{odd['id']}/triage/", {"state": "declined"}, format="json")
    assert no_reason.status_code == 400 and korean_only(no_reason.json())
    assert staff_api.post(f"/api/feedback/{odd['id']}/triage/",
                          {"state": "declined", "answer": "검색은 관련도 순입니다."}, format="json").status_code == 200
    reopened_done = staff_api.post(f"/api/feedback/{bug['id']}/triage/", {"state": "declined", "answer": "x"},
                                   format="json")
    assert reopened_done.status_code == 400 and korean_only(reopened_done.json())
    assert staff_api.post(f"/api/feedback/{wish['id']}/triage/", {"state": "done", "answer": "배포했습니다."},
                          format="json").status_code == 200

    roadmap = api.get("/api/roadmap/").json()
    assert roadmap["planned"] == []
    assert [(item["id"], item["people"]) for item in roadmap["done"]] == [(wish["id"], 4), (bug["id"], 2)]
    assert roadmap["people"] == 5  # citizen, three supporters of the wish, citizen2 (voters[2] counted once)
    everything = str(roadmap) + str(api.get("/api/feedback/").json())
    for user in (citizen, citizen2, *voters):
        assert user.username not in everything
    public = {f["id"]: f for f in api.get("/api/feedback/").json()["results"]}
    assert public[odd["id"]]["state"] == "declined" and public[odd["id"]]["answer"] == "검색은 관련도 순입니다."
    assert [f["id"] for f in api.get("/api/feedback/", {"state": "declined"}).json()["results"]] == [odd["id"]]
    assert AuditLog.objects.filter(action="feedback.triage").count() == 4


def test_planned_items_are_on_the_roadmap_most_asked_first(citizen, citizen2, voters, staff, client_for, api):
    few = _send(client_for(citizen), text="다크 모드").json()
    many = _send(client_for(citizen2), text="오프라인 지도 저장").json()
    for voter in voters:
        client_for(voter).post(f"/api/feedback/{many['id']}/support/")
    for item in (few, many):
        client_for(staff).post(f"/api/feedback/{item['id']}/triage/", {"state": "planned"}, format="json")
    planned = api.get("/api/roadmap/").json()["planned"]
    assert [(p["id"], p["people"]) for p in planned] == [(many["id"], 6), (few["id"], 1)]


def test_a_screenshot_is_stored_without_exif_and_shown_only_to_its_author_and_staff(
        citizen, citizen2, staff, client_for, api):
    answer = _send(client_for(citizen), kind="bug", text="지도 화면이 깨져요", screenshot=_jpeg_with_gps(),
                   page_url="https://geoplatform.example/maps/7/?key=SECRETKEY#12/37.5/127")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["page_url"] == "/maps/7/" and body["screenshot"].startswith("http")
    stored = Feedback.objects.get(pk=body["id"])
    with Image.open(stored.screenshot.path) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert "SECRETKEY" not in str(Feedback.objects.values_list("page_url", flat=True))
    for viewer in (None, citizen2):
        other = (api if viewer is None else client_for(viewer)).get(f"/api/feedback/{body['id']}/").json()
        assert other["screenshot"] is None and other["page_url"] is None and other["screenshot_thumbnail"] is None
    assert client_for(staff).get(f"/api/feedback/{body['id']}/").json()["screenshot"] is not None


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(citizen, client_for):
    fake = io.BytesIO(b"<script>alert(1)</script>" * 10)
    fake.name = "screen.png"
    answer = _send(client_for(citizen), screenshot=fake)
    assert answer.status_code == 400 and "이미지" in str(answer.json()["screenshot"])
    assert not Feedback.objects.exists() and not FeedbackSupport.objects.exists()


def test_bad_feedback_is_a_400_in_the_readers_language(citizen, client_for, api):
    for change in ({"kind": "rant"}, {"text": "<p></p>"}, {"page_url": "javascript:alert(1)"},
                   {"page_url": "maps/3"}, {"text": "가" * 4001}):
        answer = _send(client_for(citizen), **change)
        assert answer.status_code == 400, change
        assert korean_only(answer.json()), answer.json()
    assert api.post("/api/feedback/", {"kind": "bug", "text": "x"}, format="json").status_code == 401
    assert api.get("/api/feedback/", {"kind": "rant"}).status_code == 400
    assert not Feedback.objects.exists()


def test_script_in_feedback_is_stripped(citizen, client_for):
    body = _send(client_for(citizen), text="버튼이 <img src=x onerror=alert(1)>안 눌려요").json()
    assert body["text"] == "버튼이 안 눌려요"


def test_the_author_cannot_unask_but_a_supporter_can(citizen, citizen2, client_for, api):
    item = _send(client_for(citizen)).json()
    assert client_for(citizen2).post(f"/api/feedback/{item['id']}/support/").json()["people"] == 2
    assert client_for(citizen2).delete(f"/api/feedback/{item['id']}/support/").json()["people"] == 1
    assert client_for(citizen).delete(f"/api/feedback/{item['id']}/support/").status_code == 400
    assert api.get("/api/feedback/999999/").status_code == 404


def test_sending_feedback_too_fast_is_throttled(citizen, client_for):
    client = client_for(citizen)
    statuses = []
    for i in range(40):
        statuses.append(_send(client, text=f"의견 {i}").status_code)
        if statuses[-1] == 429:
            break
    assert statuses[-1] == 429
    assert Feedback.objects.count() == statuses.count(201)


def test_erasing_an_account_removes_its_screenshots_but_keeps_the_answered_feedback(
        citizen, staff, client_for, django_capture_on_commit_callbacks):
    from accounts.services import user_delete_account

    body = _send(client_for(citizen), kind="bug", text="화면이 깨져요", screenshot=_jpeg_with_gps()).json()
    stored = Feedback.objects.get(pk=body["id"])
    path = stored.screenshot.path
    with django_capture_on_commit_callbacks(execute=True):
        user_delete_account(user=citizen)
    stored.refresh_from_db()
    assert (stored.text, stored.screenshot.name, stored.page_url) == ("화면이 깨져요", "", "")
    assert not os.path.exists(path)
    assert client_for(staff).get(f"/api/feedback/{stored.pk}/").json()["screenshot"] is None


def test_a_huge_id_is_a_404_and_nul_text_a_400_never_a_500(citizen, client_for, api):
    assert api.get(f"/api/feedback/{2**70}/").status_code == 404
    nul = _send(client_for(citizen), text="a\x00b")
    assert nul.status_code == 400 and "NUL" in nul.json()["detail"]  # refused by the API's one JSON parser


def test_everyone_who_asked_is_told_when_feedback_is_answered(citizen, citizen2, voters, staff, client_for):
    from notifications.models import Notification

    item = _send(client_for(citizen)).json()
    client_for(citizen2).post(f"/api/feedback/{item['id']}/support/")
    client_for(staff).post(f"/api/feedback/{item['id']}/triage/", {"state": "planned", "answer": "곧 합니다."},
                           format="json")
    told = Notification.objects.filter(kind="feedback_answered")
    assert set(told.values_list("user_id", flat=True)) == {citizen.pk, citizen2.pk}
    assert all("곧 합니다." in n.body and n.title == "요청하신 의견에 답했습니다: 계획" for n in told)
