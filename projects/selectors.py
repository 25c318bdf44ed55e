"""Reads: projects (all public), one project with its timeline and links, and progress rolled up."""
from __future__ import annotations

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value, BooleanField
from django.http import Http404
from django.utils.translation import gettext as _

from districts.models import District
from geoplatform.ids import id_or_404

from .models import Project, ProjectFollow, ProjectStatus, ProjectUpdate

def project_list(*, user=None, district: str | None = None, department: str | None = None,
                 status: str | None = None, proposal: int | None = None, meeting: int | None = None,
                 bbox=None) -> QuerySet[Project]:
    """Every project is public (city spending is). Newest change first."""
    projects = (Project.objects.with_followers().prefetch_related("districts")
                .prefetch_related(Prefetch("proposals", queryset=_public_proposals()), "meetings",
                                  Prefetch("reports", queryset=_public_reports())))
    if user is not None and user.is_authenticated:
        projects = projects.annotate(i_follow=Exists(ProjectFollow.objects.filter(project=OuterRef("pk"), user=user)))
    else:
        projects = projects.annotate(i_follow=Value(False, output_field=BooleanField()))
    if district:
        projects = projects.in_district(district)
    if department:
        projects = projects.of_department(department)
    if status:
        projects = projects.with_status(status)
    if proposal:
        projects = projects.citing_proposal(proposal)
    if meeting:
        projects = projects.citing_meeting(meeting)
    if bbox is not None:
        projects = projects.in_bbox(bbox)
    return projects.order_by("-updated_at", "-pk")


def _public_reports():
    from reports.models import Report

    return Report.objects.public().select_related("category")


def _public_proposals():
    from campaigns.models import Proposal

    return Proposal.objects.filter(is_hidden=False)


def project_access(*, user, project_id, lock: bool = False) -> Project:
    """The one door to a project: fetch (404 for missing or malformed ids), lock the row when writing.

    Every project is public, so there is nothing more to check here: who may change projects (city staff) is
    the API view's permission class. With `lock`, call it inside the writing transaction."""
    pk = id_or_404(project_id, _("No such project."))
    if lock:
        project = Project.objects.select_for_update().filter(pk=pk).first()
    else:
        project = project_list(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such project."))
    return project


def project_updates(*, project: Project) -> QuerySet[ProjectUpdate]:
    return project.updates.prefetch_related("photos").order_by("-date", "-pk")


def projects_for(*, proposal_id: int | None = None, meeting_id: int | None = None,
                 report_id: int | None = None) -> list[dict]:
    """The projects that cite a proposal, a meeting or a report (shown back on its page and in its API)."""
    projects = Project.objects.all()
    if report_id is not None:
        projects = projects.filter(reports__pk=report_id)
    if proposal_id is not None:
        projects = projects.citing_proposal(proposal_id)
    if meeting_id is not None:
        projects = projects.citing_meeting(meeting_id)
    return [{"id": p.pk, "title_ko": p.title_ko, "title_en": p.title_en, "status": p.status, "progress": p.progress,
             "url": f"/projects/{p.pk}/"} for p in projects.order_by("pk")]


def _rollup_row(a: dict) -> dict:
    return {
        "projects": a["n_projects"] or 0,
        **{s: a[f"n_{s}"] or 0 for s in ProjectStatus.values},
        "progress": round(a["avg_progress"]) if a["avg_progress"] is not None else None,
        "budget_planned": a["sum_budget_planned"] or 0,
        "budget_spent": a["sum_budget_spent"] or 0,
    }


def _aggregates(prefix: str = "") -> dict:
    status = f"{prefix}status"
    live = ~Q(**{status: ProjectStatus.CANCELLED})
    return {
        "n_projects": Count(f"{prefix}pk", distinct=True),
        **{f"n_{s}": Count(f"{prefix}pk", filter=Q(**{status: s}), distinct=True) for s in ProjectStatus.values},
        # progress of the projects that go ahead: cancelled ones do not drag the average down
        "avg_progress": Avg(f"{prefix}progress", filter=live),
        "sum_budget_planned": Sum(f"{prefix}budget_planned", filter=live),
        "sum_budget_spent": Sum(f"{prefix}budget_spent", filter=live),
    }


def progress_by_district() -> list[dict]:
    """One row per district (all 25, also those without projects); a project in two districts counts in both."""
    rows = District.objects.order_by("code").annotate(**_aggregates("projects__")).values(
        "code", "name_ko", "name_en", *_aggregates().keys())
    return [{"code": r["code"], "name_ko": r["name_ko"], "name_en": r["name_en"], **_rollup_row(r)} for r in rows]


def progress_by_department() -> list[dict]:
    rows = (Project.objects.order_by().values("department_ko").annotate(**_aggregates())
            .order_by("department_ko"))
    names = dict(Project.objects.exclude(department_en="").values_list("department_ko", "department_en"))
    return [{"department_ko": r["department_ko"], "department_en": names.get(r["department_ko"], ""),
             **_rollup_row(r)} for r in rows]
