import io

import pytest

from reports.demo import load_demo
from reports.models import Report, ReportCategory, ReportEvent

pytestmark = pytest.mark.django_db


def test_demo_reports_are_at_real_places_answered_by_demo_officers_and_load_idempotently(seoul):
    from geoplatform.demo import demo_users_load

    out = io.StringIO()
    demo_users_load(out)
    load_demo(out)
    counts = (ReportCategory.objects.count(), Report.objects.count(), ReportEvent.objects.count())
    load_demo(out)
    assert (ReportCategory.objects.count(), Report.objects.count(), ReportEvent.objects.count()) == counts
    assert counts[0] >= 6 and counts[1] >= 6
    border = Report.objects.get(category__code="dangerous_crossing")
    assert {d.code for d in border.districts.all()} == {"11680", "11650"}
    assert border.status == "submitted"  # Seocho has not answered yet
    resolved = Report.objects.get(category__code="road_damage")
    assert resolved.status == "resolved"
    assert [e.actor.username for e in resolved.events.filter(kind="status")] == ["officer-gangnam"] * 3
    assert Report.objects.get(category__code="flooding").events.filter(actor__username="officer-mapo").count() == 2
    dark = Report.objects.get(category__code="dark_alley")
    assert dark.category.is_sensitive and not dark.public_geom.equals(dark.geom)
    assert {d.code for r in Report.objects.all() for d in r.districts.all()} >= {"11680", "11440", "11650", "11140"}
    assert all(r.description.startswith("[예시]") for r in Report.objects.all())
