"""Each indicator is a choropleth layer `indicator-<id>` over the district polygons.

`indicator-<id>` shows the latest period; `indicator-<id>_<period>` (e.g. `indicator-3_2025_09`,
`indicator-3_2024`) shows a given one. Fields: district_code, name_ko, name_en, value, class, period.
"""
import re

from django.db.models import Case, CharField, F, FloatField, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy

from districts.models import District
from layers.registry import Layer, registry

from .models import Indicator, IndicatorValue
from .selectors import NO_DATA_COLOR, indicator_classes, indicator_current_version, indicator_latest_period, indicator_periods

KEY_RE = re.compile(r"^(\d{1,12})(?:_(\d{4})(?:_(\d{2}|Q[1-4]))?)?$")
FIELDS = ("district_code", "name_ko", "name_en", "value", "class", "period")


def _class_case(breaks: list[float]):
    whens = [When(value__isnull=True, then=Value(None, output_field=IntegerField()))]
    whens += [When(value__lte=b, then=Value(i)) for i, b in enumerate(breaks)]
    return Case(*whens, default=Value(len(breaks)), output_field=IntegerField())


def _queryset_factory(indicator_id: int, period: str | None, breaks: list[float]):
    def queryset(viewer):
        value = (IndicatorValue.objects.current().for_districts()
                 .filter(indicator_id=indicator_id, period=period or "", district=OuterRef("pk")).values("value")[:1])
        return (District.objects
                .annotate(district_code=F("code"), value=Subquery(value, output_field=FloatField()),
                          period=Value(period or "", output_field=CharField()))
                .annotate(**{"class": _class_case(breaks)}))

    return queryset


def indicator_layer(indicator: Indicator, period: str | None = None) -> Layer:
    period = period or indicator_latest_period(indicator)
    classes = indicator_classes(indicator=indicator, period=period)
    unit = f" ({indicator.unit_ko})" if indicator.unit_ko else ""
    return Layer(
        name=indicator.layer_name,
        title_ko=f"{indicator.name_ko}{unit}",
        title_en=indicator.name_en + (f" ({indicator.unit_en})" if indicator.unit_en else ""),
        description_ko=indicator.definition_ko,
        description_en=indicator.definition_en,
        geometry_type="polygon",
        fields=FIELDS,
        id_field="code",
        attribution=gettext_lazy(indicator.source_department) if indicator.source_department else "",
        public=indicator.is_published,
        queryset_factory=_queryset_factory(indicator.pk, period, classes["breaks"]),
        can_view_rule=lambda viewer: indicator.can_view(viewer.user),
        # a new version of the values, or new classes, makes new tiles
        version_factory=lambda: "{}:{}:{}:{}".format(getattr(indicator_current_version(indicator), "pk", 0),
                                                     indicator.classification, indicator.class_count,
                                                     ",".join(map(str, indicator.breaks))),
        # the legend's `value` is the class index; features without a value fall back to `color`
        style={"property": "class", "color": NO_DATA_COLOR, "fill_opacity": 0.75, "line_color": "#ffffff"},
        legend=classes["legend"],
        meta={"indicator_id": indicator.pk, "indicator_slug": indicator.slug, "period": period,
              "periods": indicator_periods(indicator), "breaks": classes["breaks"]},
    )


def _resolve(key: str) -> Layer | None:
    match = KEY_RE.match(key)
    if not match:
        return None
    indicator = Indicator.objects.filter(pk=int(match.group(1))).first()
    if indicator is None:
        return None
    period = None
    if match.group(2):
        period = match.group(2) + (f"-{match.group(3)}" if match.group(3) else "")
    layer = indicator_layer(indicator, period)
    if period:
        layer.name = f"{indicator.layer_name}_{period.replace('-', '_')}"
    return layer


def _list(viewer) -> list[Layer]:
    return [indicator_layer(indicator) for indicator in Indicator.objects.visible_to(viewer.user)]


registry.register_family("indicator", _resolve, _list)
