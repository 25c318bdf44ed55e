"""Reads on indicators: access, current values, periods, classes and legends."""
import math

from django.db.models import QuerySet
from django.http import Http404

from geoplatform.ids import id_from

from .models import Indicator, IndicatorFeedback, IndicatorImport, IndicatorValue
from django.utils.translation import gettext_lazy as _

# ColorBrewer sequential palettes (YlGnBu), from 2 to 7 classes.
PALETTES = {
    2: ["#a1dab4", "#225ea8"],
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
}
NO_DATA_COLOR = "#d9d9d9"


def indicator_list(*, user, theme: str | None = None) -> QuerySet[Indicator]:
    indicators = Indicator.objects.visible_to(user).with_feedback_counts()
    if theme:
        indicators = indicators.filter(theme=theme)
    return indicators


def indicator_access(*, user, indicator_id=None, slug: str | None = None) -> Indicator:
    """The one door to an indicator, by id (the API) or slug (its page): 404 for missing and unpublished alike.
    Who may change indicators (city staff) is the API view's permission class."""
    if slug is not None:
        indicator = Indicator.objects.with_feedback_counts().filter(slug=slug).first()
    else:
        pk = id_from(indicator_id)
        indicator = Indicator.objects.with_feedback_counts().filter(pk=pk).first() if pk is not None else None
    if indicator is None or not indicator.can_view(user):
        raise Http404(_("No such indicator."))
    return indicator


def indicator_current_version(indicator: Indicator) -> IndicatorImport | None:
    return indicator.imports.order_by("-version").first()


def indicator_values(*, indicator: Indicator, period: str | None = None, dongs: bool = False) -> QuerySet:
    values = (IndicatorValue.objects.current().filter(indicator=indicator)
              .select_related("district", "dong").order_by("period", "district__code", "dong__code"))
    if not dongs:
        values = values.for_districts()
    if period:
        values = values.for_period(period)
    return values


def indicator_periods(indicator: Indicator) -> list[str]:
    return sorted(set(IndicatorValue.objects.current().filter(indicator=indicator).for_districts()
                      .values_list("period", flat=True)))


def indicator_latest_period(indicator: Indicator) -> str | None:
    periods = indicator_periods(indicator)
    return periods[-1] if periods else None


def quantile_breaks(values: list[float], classes: int) -> list[float]:
    """Upper bounds of all classes but the last, by nearest rank, without duplicates."""
    ordered = sorted(values)
    if not ordered:
        return []
    breaks = []
    for k in range(1, classes):
        b = ordered[max(0, math.ceil(k * len(ordered) / classes) - 1)]
        if b < ordered[-1] and (not breaks or b > breaks[-1]):
            breaks.append(b)
    return breaks


def class_of(value: float | None, breaks: list[float]) -> int | None:
    """Class index: 0 for values up to the first break, len(breaks) above the last one."""
    if value is None:
        return None
    return sum(1 for b in breaks if value > b)


def _fmt(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,.2f}"


def indicator_classes(*, indicator: Indicator, period: str | None) -> dict:
    """Breaks, colours and legend of the indicator's choropleth for one period."""
    if indicator.classification == Indicator.Classification.FIXED:
        breaks = [float(b) for b in indicator.breaks]
    else:
        values = list(indicator_values(indicator=indicator, period=period).values_list("value", flat=True)) \
            if period else []
        breaks = quantile_breaks(values, indicator.class_count)
    colors = PALETTES[min(7, max(2, len(breaks) + 1))]
    legend = []
    for i in range(len(breaks) + 1):
        low, high = (breaks[i - 1] if i else None), (breaks[i] if i < len(breaks) else None)
        if low is None and high is None:
            label = _("all values")
        elif low is None:
            label = f"≤ {_fmt(high)}"
        elif high is None:
            label = f"> {_fmt(low)}"
        else:
            label = f"{_fmt(low)} – {_fmt(high)}"
        legend.append({"value": i, "min": low, "max": high, "label": label, "color": colors[i]})
    legend.append({"value": "", "min": None, "max": None, "label": _("no data"), "color": NO_DATA_COLOR})
    return {"breaks": breaks, "colors": colors[:len(breaks) + 1], "legend": legend}


def indicator_table(*, indicator: Indicator) -> dict:
    """Values per district (rows) and period (columns), for the detail view and charts."""
    rows: dict[str, dict] = {}
    for value in indicator_values(indicator=indicator):
        row = rows.setdefault(value.district.code, {
            "district_code": value.district.code, "name_ko": value.district.name_ko,
            "name_en": value.district.name_en, "values": {}})
        row["values"][value.period] = value.value
    return {"periods": indicator_periods(indicator), "districts": list(rows.values())}


def feedback_list(*, indicator: Indicator) -> QuerySet[IndicatorFeedback]:
    return indicator.feedback.public().select_related("district")


def indicator_feedback_access(*, indicator: Indicator, feedback_id) -> IndicatorFeedback:
    """A public comment on an indicator the viewer may see (`indicator_access` first); 404 otherwise."""
    pk = id_from(feedback_id)
    feedback = indicator.feedback.public().filter(pk=pk).first() if pk is not None else None
    if feedback is None:
        raise Http404(_("No such feedback."))
    return feedback


def _aggregate(values: list[float], how: str) -> float | None:
    if not values:
        return None
    total = sum(values)
    return round(total if how == Indicator.Aggregate.SUM else total / len(values), 2)


def indicator_summary(indicator: Indicator) -> dict:
    """What a dashboard card shows: the city-wide figure, the district ranking of the latest
    period, the city-wide series over periods and the legend (one query for the values)."""
    by_period: dict[str, list] = {}
    for value in indicator_values(indicator=indicator):
        by_period.setdefault(value.period, []).append(value)
    periods = sorted(by_period)
    latest = periods[-1] if periods else None
    ranking = sorted(by_period.get(latest, []), key=lambda v: (-v.value, v.district.code))
    classes = indicator_classes(indicator=indicator, period=latest)
    return {
        "id": indicator.pk, "slug": indicator.slug, "theme": indicator.theme, "layer": indicator.layer_name,
        "name_ko": indicator.name_ko, "name_en": indicator.name_en, "unit_ko": indicator.unit_ko,
        "unit_en": indicator.unit_en, "aggregate": indicator.aggregate, "latest_period": latest,
        "figure": _aggregate([v.value for v in ranking], indicator.aggregate),
        "ranking": [{"code": v.district.code, "name_ko": v.district.name_ko, "name_en": v.district.name_en,
                     "value": v.value, "class": class_of(v.value, classes["breaks"])} for v in ranking],
        "series": [{"period": p, "value": _aggregate([v.value for v in by_period[p]], indicator.aggregate)}
                   for p in periods],
        "legend": classes["legend"],
    }
