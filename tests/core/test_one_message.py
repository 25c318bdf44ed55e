"""One message, one Korean: a refusal the apps share reads the same wherever it is met, and lives in one catalogue.

Django merges the apps' catalogues, so two catalogues that translate one msgid differently make the Korean a
reader sees depend on the order of INSTALLED_APPS (dashboards once said "시 직원만" where everyone else says
"서울시 담당자만")."""
import gettext
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STAFF_ONLY = "Only city staff may do this."
STAFF_ONLY_KO = "서울시 담당자만 할 수 있습니다."


def _catalogues():
    for mo in sorted(ROOT.glob("*/locale/ko/LC_MESSAGES/django.mo")):
        if ".venv" in mo.parts:
            continue
        with mo.open("rb") as handle:
            yield str(mo.relative_to(ROOT)), gettext.GNUTranslations(handle)._catalog


def test_a_msgid_in_several_catalogues_has_one_korean():
    korean: dict[str, dict[str, str]] = {}
    for name, catalogue in _catalogues():
        for msgid, msgstr in catalogue.items():
            if msgid and msgstr:
                korean.setdefault(msgid, {})[name] = msgstr
    differing = {msgid: where for msgid, where in korean.items() if len(set(where.values())) > 1}
    assert differing == {}


def test_the_staff_only_refusal_lives_once_in_accounts_catalogue():
    holding = [name for name, catalogue in _catalogues() if STAFF_ONLY in catalogue]
    assert holding == ["accounts/locale/ko/LC_MESSAGES/django.mo"]


@pytest.mark.django_db
def test_the_staff_only_refusal_reads_the_same_in_korean_on_a_dashboards_door_and_a_reports_door(citizen, client_for):
    citizen.preferred_language = "ko"
    citizen.save(update_fields=["preferred_language"])
    client = client_for(citizen)
    dashboards = client.post("/api/indicators/", {}, format="json")
    reports = client.post("/api/reports/categories/", {}, format="json")
    assert (dashboards.status_code, dashboards.json()) == (403, {"detail": STAFF_ONLY_KO})
    assert (reports.status_code, reports.json()) == (403, {"detail": STAFF_ONLY_KO})


@pytest.mark.django_db
def test_the_project_form_page_refuses_a_citizen_with_the_same_message(citizen, rf):
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    from projects.views import _form_page

    request = rf.get("/projects/new/")
    request.user = citizen
    with translation.override("ko"), pytest.raises(PermissionDenied) as refused:
        _form_page(request)
    with translation.override("ko"):
        assert str(refused.value) == STAFF_ONLY_KO
