"""City projects as the layer `projects`: every project's location, coloured by status."""
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy

from layers.registry import Layer, registry

from .models import Project, ProjectStatus

STATUS_COLORS = {
    ProjectStatus.PLANNED: "#3d5a80",
    ProjectStatus.IN_PROGRESS: "#f4a261",
    ProjectStatus.DONE: "#2a9d8f",
    ProjectStatus.CANCELLED: "#8d99ae",
}


def _projects(viewer):
    """Every project is public (the same rows for every viewer)."""
    return Project.objects.annotate(
        title=F("title_ko"), department=F("department_ko"),
        start=Cast("starts_on", CharField()), end=Cast("ends_on", CharField()))


registry.register(Layer(
    name="projects",
    title_ko="서울시 사업",
    title_en="City projects",
    description_ko="서울시가 추진하는 사업의 위치, 상태, 진행률과 예산",
    description_en="Where the city's projects are, with their status, progress and budget",
    geometry_type="mixed",
    fields=("id", "title", "title_en", "department", "department_en", "status", "progress", "budget_planned",
            "budget_spent", "start", "end"),
    datetime_field="updated_at",
    cluster_maxzoom=-1,  # a few hundred projects: never aggregated, so status colours always show
    static_queryset=True,
    queryset_factory=_projects,
    style={"property": "status", "color": STATUS_COLORS[ProjectStatus.PLANNED], "radius": 7, "line_width": 5,
           "fill_opacity": 0.35},
    legend=[{"value": str(s), "label": ProjectStatus(s).label, "color": c} for s, c in STATUS_COLORS.items()],
    attribution=gettext_lazy("Seoul Metropolitan Government"),
))
