"""City staff edit indicators in the Django admin: a new version, never an edit in place."""
from django.contrib.auth import get_user_model

from dashboards.models import IndicatorImport
from dashboards.selectors import indicator_values


def test_admin_adds_a_version_by_hand_and_carries_other_periods(client, indicator, seoul, staff):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-Long-enough-1")
    client.force_login(admin)
    from dashboards.services import _version_create

    _version_create(indicator=indicator, source="csv", rows=[(seoul["11680"], None, "2025-08", 1.0)])
    data = {"indicator": indicator.pk, "note": "정정 / correction",
            "values-TOTAL_FORMS": "1", "values-INITIAL_FORMS": "0", "values-MIN_NUM_FORMS": "0",
            "values-MAX_NUM_FORMS": "1000",
            "values-0-district": seoul["11440"].pk, "values-0-period": "2025-09", "values-0-value": "7"}
    response = client.post("/admin/dashboards/indicatorimport/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = IndicatorImport.objects.get(indicator=indicator, version=2)
    assert version.source == "admin" and version.created_by == admin and version.rows_carried == 1
    current = {(v.district.code, v.period): v.value for v in indicator_values(indicator=indicator)}
    assert current == {("11680", "2025-08"): 1.0, ("11440", "2025-09"): 7.0}
    for url in ("/admin/dashboards/indicator/", f"/admin/dashboards/indicator/{indicator.pk}/change/",
                "/admin/meetings/meeting/", "/admin/meetings/meeting/add/", "/admin/meetings/committee/add/",
                "/admin/meetings/disclosurereason/"):
        assert client.get(url).status_code == 200, url
