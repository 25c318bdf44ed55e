"""Writes on indicators: versioned imports, computed refreshes, citizen feedback and staff replies."""
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.permissions import require_not_banned
from districts.models import District
from geoplatform.text import plain_text

from .computed import COMPUTATIONS
from .imports import parse_rows, read_table
from .models import Indicator, IndicatorFeedback, IndicatorImport, IndicatorValue
from django.utils.translation import gettext_lazy as _


class ImportRefused(ValidationError):
    """No row of the file could be imported; `row_errors` says why, row by row."""

    def __init__(self, row_errors: list[dict]):
        super().__init__(_("No row could be imported."))
        self.row_errors = row_errors


def _version_create(*, indicator: Indicator, source: str, rows: list[tuple], user=None, file_name: str = "",
                    rows_total: int = 0, errors: list | None = None, note: str = "") -> IndicatorImport:
    """A new version holding `rows` [(district, dong, period, value)], completed by `version_complete`."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    number = (indicator.imports.aggregate(m=Max("version"))["m"] or 0) + 1
    version = IndicatorImport(indicator=indicator, version=number, source=source, file_name=file_name[:255],
                              created_by=user if user and user.is_authenticated else None,
                              rows_total=rows_total, rows_imported=len(rows), errors=errors or [], note=note[:300])
    version.full_clean()
    version.save()
    IndicatorValue.objects.bulk_create([
        IndicatorValue(indicator=indicator, version=version, district=district, dong=dong, period=period, value=value)
        for district, dong, period, value in rows], batch_size=2000)
    return version_complete(version=version)


def version_complete(*, version: IndicatorImport) -> IndicatorImport:
    """Carry over from the previous version every period the new one does not mention (so a monthly
    file adds a month), then mark the indicator updated. The previous version itself is untouched."""
    previous = version.indicator.imports.filter(version__lt=version.version).order_by("-version").first()
    new_periods = set(version.values.values_list("period", flat=True))
    carried = []
    if previous is not None:
        carried = [IndicatorValue(indicator_id=version.indicator_id, version=version, district_id=old.district_id,
                                  dong_id=old.dong_id, period=old.period, value=old.value)
                   for old in previous.values.exclude(period__in=new_periods)]
        IndicatorValue.objects.bulk_create(carried, batch_size=2000)
    version.rows_carried = len(carried)
    version.rows_imported = version.values.count() - len(carried)
    version.save(update_fields=["rows_carried", "rows_imported"])
    Indicator.objects.filter(pk=version.indicator_id).update(last_updated_at=timezone.now())
    version.indicator.last_updated_at = timezone.now()
    return version


def indicator_import(*, indicator: Indicator, user, upload, period: str | None = None) -> IndicatorImport:
    """Import a CSV/XLSX upload as a new version: bad rows are reported, good rows imported.

    A file without a single good row is refused (400) and stores nothing. The API view lets only city staff
    call it; the indicator's row is locked only after the (slow) file is read, to number the version.
    """
    if period:
        from .imports import _period

        period = _period(period)
        if period is None:
            raise ValidationError({"period": _("Use a period like 2025, 2025-09 or 2025-Q3.")})
    source, table = read_table(upload)
    good, errors = parse_rows(table, default_period=period)
    if not good:
        raise ImportRefused(errors)
    with transaction.atomic():
        return _version_create(
            indicator=indicator, source=source, user=user, file_name=upload.name or "",
            rows=[(r.district, r.dong, r.period, r.value) for r in good], rows_total=len(table) - 1, errors=errors,
        )


@transaction.atomic
def indicator_create(*, user, slug: str, name_ko: str, name_en: str, theme: str, unit_ko: str = "",
                     unit_en: str = "", source_department: str = "", update_frequency: str = "monthly",
                     definition_ko: str = "", definition_en: str = "", classification: str = "quantile",
                     class_count: int = 5, breaks: list | None = None, higher_is_better: bool = True,
                     aggregate: str = "mean") -> Indicator:
    indicator = Indicator(
        slug=slug, name_ko=plain_text(name_ko), name_en=plain_text(name_en), theme=theme, unit_ko=plain_text(unit_ko),
        unit_en=plain_text(unit_en), source_department=plain_text(source_department),
        update_frequency=update_frequency, definition_ko=plain_text(definition_ko),
        definition_en=plain_text(definition_en), kind=Indicator.Kind.IMPORTED, classification=classification,
        class_count=class_count, breaks=breaks or [], higher_is_better=higher_is_better, aggregate=aggregate,
    )
    indicator.full_clean()
    indicator.save()
    return indicator


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")


def indicator_refresh(*, indicator: Indicator, user=None) -> IndicatorImport | None:
    """Recompute a computed indicator for this month; a new version only when a value changed (the scheduled
    refresh, or city staff through the API view)."""
    if indicator.kind != Indicator.Kind.COMPUTED:
        raise ValidationError(_("Only computed indicators can be refreshed."))
    computation = COMPUTATIONS[indicator.computation]
    values = computation.compute()
    if values is None:
        return None
    period = computation.period or current_period()
    districts = District.objects.in_bulk(list(values))
    rows = [(districts[pk], None, period, float(value)) for pk, value in sorted(values.items())]
    with transaction.atomic():
        current = dict(IndicatorValue.objects.current().filter(indicator=indicator, period=period, dong__isnull=True)
                       .values_list("district_id", "value"))
        if current == {pk: float(v) for pk, v in values.items()}:
            Indicator.objects.filter(pk=indicator.pk).update(last_updated_at=timezone.now())
            return None
        return _version_create(indicator=indicator, source=IndicatorImport.Source.COMPUTED, rows=rows,
                               rows_total=len(rows), user=user, note=f"computed: {indicator.computation}")


@transaction.atomic
def computed_indicators_ensure() -> list[Indicator]:
    """One computed indicator per known computation (created once; staff may edit the texts)."""
    indicators = []
    for key, c in COMPUTATIONS.items():
        indicator, _created = Indicator.objects.get_or_create(slug=key, defaults=dict(
            name_ko=c.name_ko, name_en=c.name_en, theme=c.theme, unit_ko=c.unit_ko, unit_en=c.unit_en,
            source_department=c.source_department, update_frequency=c.update_frequency,
            definition_ko=c.definition_ko, definition_en=c.definition_en, kind=Indicator.Kind.COMPUTED,
            computation=key, higher_is_better=c.higher_is_better, aggregate=c.aggregate,
        ))
        indicators.append(indicator)
    return indicators


def computed_refresh_queue(*, keys: list[str]) -> bool:
    """Queue one refresh of the computed indicators with these computation keys, DASHBOARDS_REFRESH_SECONDS from now,
    unless one is queued and has not started (it will read this change too): at Seoul's size a refresh reads every
    report (3.3 s for 1,000,000), so one a report (25,000 a day) would keep the worker busy for ever and write a
    version a report. True when this call queued it. A mark older than ten periods (a worker that lost its queue)
    does not hold a new one back."""
    now = timezone.now()
    delay = max(0, int(getattr(settings, "DASHBOARDS_REFRESH_SECONDS", 0)))
    lost = now - timedelta(seconds=max(10 * delay, 600))
    marked = (Indicator.objects.computed().filter(computation__in=keys)
              .filter(Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=lost))
              .update(refresh_queued_at=now))
    if not marked:
        return False
    from .tasks import computed_indicators_refresh_task

    task = computed_indicators_refresh_task
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=now + timedelta(seconds=delay))
    task.enqueue(list(keys))
    return True


def computed_indicators_refresh(*, keys: list[str] | None = None) -> dict[str, int | None]:
    """Refresh every computed indicator (or those with the given computation keys): {slug: new version}. A change
    after this point queues the next refresh (the queued mark is taken off first)."""
    result = {}
    indicators = Indicator.objects.computed()
    if keys is not None:
        indicators = indicators.filter(computation__in=keys)
    indicators.filter(refresh_queued_at__isnull=False).update(refresh_queued_at=None)
    for indicator in indicators:
        version = indicator_refresh(indicator=indicator)
        result[indicator.slug] = version.version if version else None
    return result


@transaction.atomic
def feedback_create(*, indicator: Indicator, user, body: str = "", rating: int | None = None,
                    district: District | None = None) -> IndicatorFeedback:
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to give feedback."))
    require_not_banned(user)
    if not user.email_verified:
        # A rating counts once per person, like a proposal vote or a feedback "+1": only an account whose
        # e-mail is confirmed (accounts: signed link) may rate an indicator or comment on it.
        raise PermissionDenied(_("Confirm your e-mail address before rating or commenting on an indicator."))
    feedback = IndicatorFeedback(indicator=indicator, author=user, body=plain_text(body), rating=rating,
                                 district=district)
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_reply(*, feedback: IndicatorFeedback, user, reply: str) -> IndicatorFeedback:
    """City staff's public reply (the API view lets only them call it)."""
    feedback.reply = plain_text(reply)
    if not feedback.reply:
        raise ValidationError({"reply": _("Write a reply.")})
    feedback.replied_by = user
    feedback.replied_at = timezone.now()
    feedback.full_clean()
    feedback.save()
    return feedback
