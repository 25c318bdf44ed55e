"""HTML pages: /projects/ (all projects on a map, by status), /projects/<id>/ (one project), and for city
staff /projects/new/ and /projects/<id>/edit/ (every field, the location drawn on the map)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.permissions import STAFF_ONLY_MESSAGE
from geoplatform.geojson import geometry_geojson

from . import selectors
from .layers import STATUS_COLORS
from .models import Project, ProjectStatus


def _config(request, **extra) -> dict:
    return {"signedIn": request.user.is_authenticated, "isStaff": Project.can_manage(request.user),
            "statusColors": {str(k): v for k, v in STATUS_COLORS.items()}, **extra}


def _won(value: int) -> str:
    return f"₩{value:,}"


def project_list_page(request):
    projects = list(selectors.project_list(user=request.user)[:300])
    return render(request, "projects/list.html", {
        "projects": projects, "statuses": ProjectStatus.choices,
        "is_staff": Project.can_manage(request.user),
        "page_config": _config(request),
    })


def project_page(request, pk):
    project = selectors.project_access(user=request.user, project_id=pk)
    updates = list(selectors.project_updates(project=project))
    extent = project.geom.extent
    return render(request, "projects/detail.html", {
        "project": project, "updates": updates, "is_staff": Project.can_manage(request.user),
        "budget_planned": _won(project.budget_planned), "budget_spent": _won(project.budget_spent),
        "page_config": _config(request, project=project.pk, bounds=[[extent[0], extent[1]], [extent[2], extent[3]]],
                               following=project.i_follow, followers=project.follower_count),
    })


def _form_page(request, project=None):
    if not Project.can_manage(request.user):
        raise PermissionDenied(STAFF_ONLY_MESSAGE)
    from districts.models import District

    districts = [{"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}
                 for d in District.objects.order_by("name_ko").only("code", "name_ko", "name_en")]
    config = {"districts": districts, "project": None}
    if project is not None:
        config["project"] = {
            "id": project.pk, "geometry": geometry_geojson(project.geom),
            "districts": [d.code for d in project.districts.all()],
            "proposals": [p.pk for p in project.proposals.all()], "meetings": [m.pk for m in project.meetings.all()],
            "reports": [r.pk for r in project.reports.all()],
        }
        extent = project.geom.extent
        config["bounds"] = [[extent[0], extent[1]], [extent[2], extent[3]]]
    return render(request, "projects/form.html", {
        "project": project, "statuses": ProjectStatus.choices, "page_config": _config(request, **config),
    })


def project_new_page(request):
    return _form_page(request)


def project_edit_page(request, pk):
    return _form_page(request, selectors.project_access(user=request.user, project_id=pk))
