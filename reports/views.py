"""Web pages of reports: report a hazard, follow a report, the district officers' review queue."""
from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.http import Http404
from django.shortcuts import render
from rest_framework.exceptions import NotFound

from districts.models import District

from .selectors import report_access


def report_new(request):
    return render(request, "reports/report_new.html", {"page_config": {}})


def report_detail(request, report_id: int):
    """A report's page; a missing report (or one not the reader's to see) is a 404, as in the API."""
    try:
        report_access(user=request.user, report_id=report_id)
    except NotFound:
        raise Http404
    return render(request, "reports/report_detail.html", {"page_config": {"reportId": report_id}})


@login_required
def review(request):
    if not request.user.is_district_officer:
        return render(request, "frontend/forbidden.html", status=403)
    districts = list(District.objects.order_by("name_ko").values("code", "name_ko", "name_en"))
    mine = sorted(request.user.officer_district_codes())
    # The map opens on the officer's own districts, not on all of Seoul.
    extent = District.objects.filter(code__in=mine).aggregate(extent=Extent("geom"))["extent"]
    bounds = [[extent[0], extent[1]], [extent[2], extent[3]]] if extent else None
    return render(request, "reports/review.html", {"page_config": {
        "districts": districts, "mine": mine, "bounds": bounds}})
