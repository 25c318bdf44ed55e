"""Meetings: Korean search, disclosure rules, scheduled minutes, filters, documents, statistics."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import document_add, meeting_create

from .conftest import at


def _titles(response):
    assert response.status_code == 200, response.content
    return {m["title_ko"] for m in response.json()["results"]}


def test_a_korean_search_finds_a_two_syllable_word_inside_a_longer_word_in_the_minutes(api, meetings):
    # "주차" only appears inside "공영주차장" in the minutes of the September meeting
    assert _titles(api.get("/api/meetings/", {"q": "주차"})) == {"2025년 제3차 교통위원회"}
    assert _titles(api.get("/api/meetings/", {"q": "영주차"})) == {"2025년 제3차 교통위원회"}
    assert _titles(api.get("/api/meetings/", {"q": "노선"})) == {"2025년 제2차 교통위원회"}  # agenda and minutes


def test_search_covers_committee_names_in_korean_and_english(api, meetings):
    assert _titles(api.get("/api/meetings/", {"q": "복지위원"})) == {
        "2024년 제1차 복지위원회", "2024년 제2차 복지위원회", "2025년 제1차 복지위원회"}
    assert len(_titles(api.get("/api/meetings/", {"q": "welfare committee"}))) == 3


def test_search_never_reveals_undisclosed_or_unpublished_minutes(api, meetings):
    assert _titles(api.get("/api/meetings/", {"q": "비밀논의"})) == set()
    meetings["parking"].minutes_publish_at = timezone.now() + datetime.timedelta(days=3)
    meetings["parking"].save()
    assert _titles(api.get("/api/meetings/", {"q": "공영주차장"})) == set()


def test_the_trigram_index_can_answer_a_korean_substring_search(meetings):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM meetings_meeting WHERE UPPER(minutes::text) LIKE UPPER(%s)",
                       ["%공영주차장%"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "meeting_minutes_trgm" in plan


def test_an_undisclosed_meeting_shows_its_reason_and_request_guide_but_never_its_minutes(api, meetings):
    body = api.get(f"/api/meetings/{meetings['secret'].pk}/").json()
    assert body["disclosure"] == "not_disclosed"
    assert body["minutes"] is None and body["minutes_html"] is None and body["decisions"] is None
    assert body["minutes_status"] == "withheld"
    assert body["disclosure_reason"]["legal_basis"] == "공공기관의 정보공개에 관한 법률 제9조 제1항 제5호"
    assert body["request_guide"]["url"] == "https://www.open.go.kr/"
    assert "정보공개" in body["request_guide"]["text_ko"]
    assert "비밀논의" not in str(body)
    assert "비밀논의" not in api.get("/api/meetings/").content.decode()


def test_a_disclosed_meeting_shows_its_minutes_and_no_request_guide(api, meetings):
    body = api.get(f"/api/meetings/{meetings['parking'].pk}/").json()
    assert body["minutes"] == "공영주차장 확충 계획을 논의하였다."
    assert body["minutes_html"] == "<p>공영주차장 확충 계획을 논의하였다.</p>"
    assert body["request_guide"] is None and body["disclosure_reason"] is None
    assert [m["name"] for m in body["committee"]["members"]] == ["김서울", "이한강"]


def test_scheduled_minutes_appear_only_after_their_date(api, meetings):
    meeting = meetings["parking"]
    meeting.minutes_publish_at = timezone.now() + datetime.timedelta(hours=2)
    meeting.save()
    before = api.get(f"/api/meetings/{meeting.pk}/").json()
    assert before["minutes"] is None and before["minutes_status"] == "scheduled"
    assert before["minutes_publish_at"] is not None
    Meeting.objects.filter(pk=meeting.pk).update(minutes_publish_at=timezone.now() - datetime.timedelta(seconds=1))
    after = api.get(f"/api/meetings/{meeting.pk}/").json()
    assert after["minutes"] == "공영주차장 확충 계획을 논의하였다." and after["minutes_status"] == "published"


@pytest.mark.parametrize("params, expected", [
    ({"committee": "welfare"}, {"2024년 제1차 복지위원회", "2024년 제2차 복지위원회", "2025년 제1차 복지위원회"}),
    ({"department": "교통정책과", "to": "2025-06-30"}, {"2025년 제1차 교통위원회", "2025년 제2차 교통위원회"}),
    ({"department": "Welfare Policy Division", "from": "2025-01-01"}, {"2025년 제1차 복지위원회"}),
    ({"disclosure": "partially_disclosed"}, {"2025년 제2차 교통위원회", "2024년 제2차 복지위원회"}),
    ({"from": "2024-09-10", "to": "2024-09-10"}, {"2024년 제2차 복지위원회"}),
])
def test_filters_by_committee_department_dates_and_disclosure(api, meetings, committees, params, expected):
    if params.get("committee") == "welfare":
        params = {**params, "committee": committees["welfare"].pk}
    assert _titles(api.get("/api/meetings/", params)) == expected


@pytest.mark.parametrize("params", [{"from": "2025-13-01"}, {"disclosure": "secret"}, {"committee": "abc"},
                                    {"from": "2025-05-01", "to": "2025-01-01"}, {"q": "x" * 101}])
def test_bad_filters_are_a_400_in_the_readers_language(api, meetings, params):
    korean = api.get("/api/meetings/", params)
    english = api.get("/api/meetings/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert korean.status_code == english.status_code == 400
    assert any("\uac00" <= ch <= "\ud7a3" for ch in str(korean.json())), korean.json()
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in str(english.json())), english.json()


def test_disclosure_rates_per_department_committee_and_year_match_the_fixture(api, meetings):
    stats = api.get("/api/meetings/stats/").json()
    # held: transport 3 (1 disclosed, 1 partial, 1 not), welfare 3 (2 disclosed, 1 partial); the upcoming one is not held
    assert stats["overall"]["meetings"] == 6
    assert stats["overall"]["disclosure_rate"] == round(5 / 6, 4)
    assert stats["overall"]["full_disclosure_rate"] == 0.5
    departments = {d["department_ko"]: d for d in stats["by_department"]}
    assert departments["교통정책과"]["disclosure_rate"] == round(2 / 3, 4)
    assert departments["교통정책과"]["not_disclosed"] == 1
    assert departments["복지정책과"]["disclosure_rate"] == 1.0
    assert departments["복지정책과"]["full_disclosure_rate"] == round(2 / 3, 4)
    committees = {c["name_ko"]: c for c in stats["by_committee"]}
    assert committees["서울특별시 교통위원회"]["meetings"] == 3
    years = {y["period"]: y for y in stats["over_time"]}
    assert set(years) == {"2024", "2025"}
    assert years["2024"]["disclosure_rate"] == 1.0 and years["2024"]["full_disclosure_rate"] == 0.5
    assert years["2025"]["meetings"] == 4 and years["2025"]["disclosure_rate"] == 0.75
    transport_by_year = {(r["department_ko"], r["period"]): r for r in stats["by_department_over_time"]}
    assert transport_by_year[("교통정책과", "2025")]["disclosure_rate"] == round(2 / 3, 4)
    assert transport_by_year[("복지정책과", "2024")]["meetings"] == 2
    months = {m["period"]: m for m in api.get("/api/meetings/stats/", {"interval": "month"}).json()["over_time"]}
    assert months["2025-02"]["disclosure_rate"] == 0.0 and months["2025-09"]["disclosure_rate"] == 1.0
    assert api.get("/api/meetings/stats/", {"interval": "week"}).status_code == 400


def test_withheld_documents_have_no_file_and_their_file_is_the_404_of_a_missing_one(api, meetings, reason):
    meeting = meetings["bus"]
    public = document_add(meeting=meeting, title="회의 안건지", file=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4 agenda"))
    withheld = document_add(meeting=meeting, title="검토 보고서", file=SimpleUploadedFile("r.pdf", b"%PDF-1.4 secret"),
                            disclosure="not_disclosed", disclosure_reason=reason)
    body = api.get(f"/api/meetings/{meeting.pk}/").json()
    documents = {d["title"]: d for d in body["documents"]}
    assert documents["검토 보고서"]["file_url"] is None
    assert documents["검토 보고서"]["disclosure_reason"]["code"] == "art9-1-5"
    assert body["request_guide"] is not None
    ok = api.get(f"/api/meetings/{meeting.pk}/documents/{public.pk}/file")
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == b"%PDF-1.4 agenda"
    refused = api.get(f"/api/meetings/{meeting.pk}/documents/{withheld.pk}/file")
    missing = api.get(f"/api/meetings/{meeting.pk}/documents/{withheld.pk + 1000}/file")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()  # nothing tells a withheld file from one that does not exist
    assert api.get(f"/api/meetings/{meetings['parking'].pk}/documents/{public.pk}/file").status_code == 404
    media = api.get(withheld.file.url)
    assert media.status_code == 404 and media.content == api.get("/media/meetings/no-such.pdf").content


def test_documents_of_an_undisclosed_meeting_are_withheld_as_a_404(api, meetings):
    document = document_add(meeting=meetings["secret"], title="회의록 원본",
                            file=SimpleUploadedFile("m.pdf", b"%PDF-1.4 x"))
    assert api.get(f"/api/meetings/{meetings['secret'].pk}/documents/{document.pk}/file").status_code == 404


def test_withholding_needs_a_legal_reason_and_a_meeting_needs_a_place(committees):
    with pytest.raises(ValidationError, match="사유"):
        meeting_create(committee=committees["transport"], title_ko="x", starts_at=at(2025, 1, 1),
                       online_url="https://example.org", disclosure="not_disclosed")
    with pytest.raises(ValidationError, match="장소"):
        meeting_create(committee=committees["transport"], title_ko="x", starts_at=at(2025, 1, 1))
    assert not Meeting.objects.exists()


def test_committees_list_with_members_and_meeting_counts(api, meetings):
    committees = {c["name_ko"]: c for c in api.get("/api/committees/").json()["results"]}
    transport = committees["서울특별시 교통위원회"]
    assert transport["meeting_count"] == 4 and transport["members"][0]["role_en"] == "Chair"
    assert api.get(f"/api/committees/{transport['id']}/").json()["department_ko"] == "교통정책과"
    assert api.get("/api/committees/999999/").status_code == 404
    assert api.get("/api/meetings/999999/").status_code == 404


def test_a_document_that_is_not_a_document_file_is_refused(meetings):
    with pytest.raises(ValidationError, match="문서 파일"):
        document_add(meeting=meetings["parking"], title="x", file=SimpleUploadedFile("x.html", b"<script>1</script>"))
    assert not meetings["parking"].documents.exists()
