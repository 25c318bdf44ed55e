import io

from django.utils import timezone

from meetings.demo import load_demo
from meetings.models import Committee, Meeting, MeetingDocument


def test_demo_meetings_are_marked_cover_every_disclosure_case_and_load_twice_alike(db):
    load_demo(io.StringIO())
    counts = (Committee.objects.count(), Meeting.objects.count(), MeetingDocument.objects.count())
    load_demo(io.StringIO())
    assert (Committee.objects.count(), Meeting.objects.count(), MeetingDocument.objects.count()) == counts
    assert all(m.title_ko.startswith("[예시]") and m.title_en.startswith("[Sample]") for m in Meeting.objects.all())
    assert {"disclosed", "partially_disclosed", "not_disclosed"} == set(Meeting.objects.values_list("disclosure", flat=True))
    assert Meeting.objects.filter(minutes_publish_at__gt=timezone.now()).exists()
    assert Meeting.objects.filter(starts_at__gt=timezone.now()).exists()
    # the real Namsan library place, from the open data
    namsan = Meeting.objects.get(place_name="서울특별시교육청남산도서관")
    assert namsan.address == "서울특별시 용산구 소월로 109" and round(namsan.location.x, 4) == 126.9822
