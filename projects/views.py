"""HTML pages: /projects/ (all projects on a map, by status) and /projects/<id>/ (one project)."""
from django.shortcuts import render

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
    project = selectors.access_project(project_id=pk, user=request.user)
    updates = list(selectors.project_updates(project=project))
    extent = project.geom.extent
    return render(request, "projects/detail.html", {
        "project": project, "updates": updates, "is_staff": Project.can_manage(request.user),
        "budget_planned": _won(project.budget_planned), "budget_spent": _won(project.budget_spent),
        "page_config": _config(request, project=project.pk, bounds=[[extent[0], extent[1]], [extent[2], extent[3]]],
                               following=project.i_follow, followers=project.follower_count),
    })
