"""Meeting places as the layer `meetings`: upcoming and past meetings, styled differently."""
from django.db.models import Case, CharField, Count, F, Func, Max, Value, When
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from layers.registry import Layer, registry

from .models import Meeting


class IsoUtc(Func):
    """to_char(ts AT TIME ZONE 'UTC', ISO 8601): a plain string that every tile and export reader understands."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    output_field = CharField()


def _meetings(viewer):
    return (Meeting.objects.filter(location__isnull=False)
            .annotate(title=F("title_ko"), committee_name=F("committee__name_ko"),
                      committee_name_en=F("committee__name_en"), start=IsoUtc("starts_at"),
                      status=Case(When(starts_at__gt=Now(), then=Value("upcoming")), default=Value("past"),
                                  output_field=CharField())))


def _version() -> str:
    """Changes with any edit and every hour (a meeting turns from upcoming to past)."""
    stats = Meeting.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{stats['n']}-{stats['last'].timestamp() if stats['last'] else 0}-{timezone.now():%Y%m%d%H}"


registry.register(Layer(
    name="meetings",
    title_ko="위원회 회의 장소",
    title_en="Committee meeting places",
    description_ko="서울시 위원회 회의가 열리는 곳 (예정 회의와 지난 회의)",
    description_en="Where Seoul's committees meet (upcoming and past meetings)",
    geometry_type="point",
    geom_field="location",
    fields=("id", "title", "title_en", "committee", "committee_name", "committee_name_en", "start", "status",
            "disclosure"),
    datetime_field="starts_at",
    cluster_maxzoom=-1,  # a handful of places: never aggregated, so status colours always show
    queryset_factory=_meetings,
    version_factory=_version,
    style={"property": "status", "color": "#8d99ae", "radius": 7},
    legend=[
        {"value": "upcoming", "label": _("Upcoming meeting"), "color": "#e4572e"},
        {"value": "past", "label": _("Past meeting"), "color": "#8d99ae"},
    ],
))
