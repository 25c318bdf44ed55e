"""Flaggable content is a registry that apps feed; moderation hides and restores through one door."""
import ast
from pathlib import Path

import pytest

from moderation.flaggable import flaggables
from moderation.services import content_hidden_set

MODERATION = Path(__file__).resolve().parents[2] / "moderation"


def test_each_app_registers_its_own_flaggable_models():
    registered = {t: flaggables.get(t).model._meta.label for t in flaggables.types()}
    assert registered == {"comment": "campaigns.ProposalComment", "feature": "maps.Feature", "map": "maps.Map",
                          "photo": "maps.FeaturePhoto", "proposal": "campaigns.Proposal", "report": "reports.Report"}


def test_moderation_code_names_no_other_apps_models_or_layers():
    others = {"maps", "reports", "campaigns", "Map", "Feature", "FeaturePhoto", "Report", "Proposal",
              "ProposalComment", "proposals"}
    for path in MODERATION.glob("*.py"):
        if path.name == "throttles.py":
            continue  # its scopes ("reports", "features") are names of rate settings, not of models or layers
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        assert not imported & others, path.name
        assert not {s for s in strings if s in others or s.startswith("map-")}, path.name


@pytest.mark.django_db
def test_hiding_and_showing_go_through_one_door_that_audits_and_redraws(make_report, citizen, places, staff,
                                                                      django_capture_on_commit_callbacks):
    from audit.models import AuditLog

    report = make_report(citizen, places["seolleung"])
    with django_capture_on_commit_callbacks(execute=False) as redraws:
        assert content_hidden_set(target=report, hidden=True, actor=staff, action="test.hide") is True
    assert len(redraws) == 1  # the reports layer's tiles around the report are dropped after commit
    report.refresh_from_db()
    assert report.is_hidden
    with django_capture_on_commit_callbacks(execute=False) as redraws:
        assert content_hidden_set(target=report, hidden=True, actor=staff, action="test.hide") is False
    assert redraws == []  # nothing changed, nothing to redraw
    entries = AuditLog.objects.on("reports.report", report.pk).filter(action="test.hide")
    assert [(e.before, e.after) for e in entries.order_by("id")] == [
        ({"is_hidden": False}, {"is_hidden": True}), ({"is_hidden": True}, {"is_hidden": True})]
    with pytest.raises(TypeError):
        content_hidden_set(target=citizen, hidden=True, actor=staff, action="test.hide")
