"""The demo loader builds sample projects at real places through the services, once."""
import io

from geoplatform.demo import demo_users_load
from projects.demo import MARK, load_demo
from projects.models import Project, ProjectFollow


def test_demo_loads_projects_in_every_status_at_real_places_and_is_idempotent(seoul):
    out = io.StringIO()
    demo_users_load(out)
    load_demo(out)
    assert set(Project.objects.values_list("status", flat=True)) == {"planned", "in_progress", "done", "cancelled"}
    assert all(p.title_ko.startswith(MARK) for p in Project.objects.all())
    bike = Project.objects.get(title_en__contains="Teheran-ro")
    assert bike.geom.geom_type == "MultiLineString" and bike.updates.count() == 2
    assert [d.code for d in bike.districts.all()] == ["11680"] and ProjectFollow.objects.filter(project=bike).count() == 2
    assert Project.objects.get(title_en__contains="Seogyo").geom.geom_type == "MultiPolygon"
    load_demo(out)
    assert Project.objects.count() == 5 and "already loaded" in out.getvalue()


def test_the_demo_accepts_the_sample_evaluated_proposal_into_a_new_project_once(seoul):
    from campaigns.demo import EVALUATED, load_demo as campaigns_demo
    from campaigns.models import Proposal

    out = io.StringIO()
    demo_users_load(out)
    campaigns_demo(out)
    load_demo(out)
    proposal = Proposal.objects.get(title=EVALUATED)
    assert proposal.state == "accepted" and proposal.evaluation.outcome == "accepted"
    project = proposal.projects.get()
    assert project.geom.geom_type == "MultiPoint" and project.budget_planned == proposal.budget_estimate
    load_demo(out)
    assert Project.objects.count() == 6
