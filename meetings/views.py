"""HTML pages: /meetings/ (search, filters, map of places) and /meetings/<id>/ (one meeting)."""
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from geoplatform.text import markdown_to_safe_html

from . import selectors
from .models import REQUEST_GUIDE_EN, REQUEST_GUIDE_KO, REQUEST_GUIDE_URL, Disclosure
from .serializers import MeetingFilterSerializer


def meeting_list_page(request):
    errors = []
    try:
        filters = MeetingFilterSerializer.parse(request.GET)
    except ValidationError as exc:
        errors = [str(message) for messages in (exc.detail.values() if isinstance(exc.detail, dict) else [exc.detail])
                  for message in (messages if isinstance(messages, list) else [messages])]
        filters = {}
    meetings = list(selectors.meeting_list(**filters)[:200]) if not errors else []
    committees = list(selectors.committee_list())
    departments = sorted({(c.department_ko, c.department_en) for c in committees})
    return render(request, "meetings/list.html", {
        "meetings": meetings, "committees": committees, "departments": departments, "errors": errors,
        "query": request.GET, "disclosures": Disclosure.choices,
        "page_config": {"meetings": [m.pk for m in meetings]},
    }, status=400 if errors else 200)


def meeting_page(request, pk):
    meeting = selectors.meeting_access(user=request.user, meeting_id=pk)
    documents = list(meeting.documents.all())
    withheld = meeting.is_withheld or any(d.disclosure != Disclosure.DISCLOSED for d in documents)
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "documents": documents,
        "minutes_html": markdown_to_safe_html(meeting.minutes) if meeting.minutes_visible else "",
        "guide": {"ko": REQUEST_GUIDE_KO, "en": REQUEST_GUIDE_EN, "url": REQUEST_GUIDE_URL} if withheld else None,
        "page_config": {"meeting": meeting.pk,
                        "location": [meeting.location.x, meeting.location.y] if meeting.location else None},
    })


def committees_page(request):
    return render(request, "meetings/committees.html", {"committees": selectors.committee_list()})


def stats_page(request):
    stats = selectors.disclosure_stats(meetings=selectors.meeting_list(), interval="year")
    return render(request, "meetings/stats.html", {"stats": stats, "tables": [
        ("전체", "Overall", [stats["overall"]], "overall"),
        ("연도별", "By year", stats["over_time"], "period"),
        ("부서별", "By department", stats["by_department"], "department"),
        ("위원회별", "By committee", stats["by_committee"], "committee"),
    ]})
