"""Writes on analyses: create, run (in the worker), publish, exports' audit trail."""
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import ValidationError as DRFValidationError

from geoplatform.i18n import language_of
from jobs.models import Job
from jobs.services import job_create, job_finish, job_progress
from layers.registry import Viewer

from .counting import PIXELS_TABLE
from .methods import RUNNERS, UNITS_TABLE, MethodError, Result
from .models import Analysis, AnalysisCell, AnalysisOutput, Method
from .parameters import parameters_clean
from .raster import geotiff_write
from .sources import METRIC_SRID, STAGED_TABLE, SourceError, fingerprint, source_layer, source_open, tables_drop

logger = logging.getLogger(__name__)
METHOD_VERSION = 2  # 2: the input's digest is a sum of record hashes (analysis/sources.py)
RASTER_DIR = "analysis"
# The steps of a run, in order, as its job shows them (progress n of len(STEPS), on /api/jobs/{id}/ and /ws/me/;
# stored as English msgids, shown in the reader's language); a method reports the steps it has
# (`progress(step)`), so the bar moves at each stage of the work.
STEPS = {
    "sources": gettext_noop("reading the source layer"),
    "areas": gettext_noop("preparing the areas"),
    "records": gettext_noop("counting the records"),
    "density": gettext_noop("computing the density"),
    "results": gettext_noop("computing the results"),
    "storing": gettext_noop("storing the outputs"),
}


def _viewer(user) -> Viewer:
    return Viewer(user=user if user is not None else AnonymousUser())


def _check_sources(*, method: str, parameters: dict, user) -> list[str]:
    """The layers the run reads, checked now so that a bad name is a 400, not a failed job."""
    try:
        layer = source_layer(parameters["source"], viewer=_viewer(user), need_time=method == Method.COMPARISON)
    except SourceError as exc:
        raise DRFValidationError({"parameters": {"source": [str(exc)]}})
    return [layer.name]


def _validated(method: str, parameters) -> dict:
    if method not in Method.values:
        raise DRFValidationError({"method": _("Unknown method; choose one of %(methods)s")
                                            % {"methods": ", ".join(Method.values)}})
    try:
        return parameters_clean(method, parameters)
    except DRFValidationError as exc:
        raise DRFValidationError({"parameters": exc.detail})


@transaction.atomic
def analysis_create(*, user, name: str, method: str, parameters: dict | None = None, description: str = "",
                    caveats: str = "") -> Analysis:
    """A draft analysis. Only analysts create them: the API view's `AnalysisPermission` and the page say so."""
    clean = _validated(method, parameters)
    analysis = Analysis(name=name, method=method, parameters=clean, description=description, caveats=caveats,
                        sources=_check_sources(method=method, parameters=clean, user=user), created_by=user)
    analysis.full_clean()
    analysis.save()
    return analysis


@transaction.atomic
def analysis_update(*, analysis: Analysis, user, **fields) -> Analysis:
    """Change text fields at any time; method and parameters only before publication. `analysis` comes from
    `analysis_access(..., need="edit", lock=True)`."""
    if ("method" in fields or "parameters" in fields) and analysis.is_published:
        raise ValidationError({"parameters": _("Unpublish before changing a published analysis's parameters")})
    if "method" in fields or "parameters" in fields:
        method = fields.pop("method", analysis.method)
        clean = _validated(method, fields.pop("parameters", analysis.parameters))
        if (method, clean) != (analysis.method, analysis.parameters):
            # the old outputs no longer describe this analysis: back to a draft without results
            _outputs_clear(analysis)
            analysis.status, analysis.fingerprint, analysis.ran_at = Analysis.Status.DRAFT, "", None
        analysis.method, analysis.parameters = method, clean
        analysis.sources = _check_sources(method=method, parameters=clean, user=user)
    for name in ("name", "description", "caveats"):
        if name in fields:
            setattr(analysis, name, fields.pop(name))
    analysis.full_clean()
    analysis.save()
    return analysis


def analysis_run(*, analysis: Analysis, user, inline: bool = False) -> Analysis:
    """Queue a run in the background worker (or run it here with `inline`); progress is on `analysis.job`.
    `analysis` comes from `analysis_access(..., need="edit", lock=True)`: two runs cannot both start."""
    from .tasks import analysis_run_task

    with transaction.atomic():
        if analysis.status in (Analysis.Status.QUEUED, Analysis.Status.RUNNING):
            raise ValidationError({"status": _("This analysis is already running")})
        analysis.job = job_create(kind="analysis", created_by=user, total=len(STEPS), message=gettext_noop("queued"))
        analysis.status, analysis.error = Analysis.Status.QUEUED, ""
        analysis.save(update_fields=["job", "status", "error"])
        if not inline:
            analysis_run_task.enqueue(analysis.pk)
    if inline:
        analysis_execute(analysis_id=analysis.pk)
    analysis.refresh_from_db()
    return analysis


def analysis_execute(*, analysis_id: int) -> dict:
    """The body of a run: stage sources, compute, store outputs, all or nothing.

    Its errors are stored for the author to read: they are written in the author's language."""
    analysis = Analysis.objects.select_related("job", "created_by").get(pk=analysis_id)
    with language_of(analysis.created_by):
        return _execute(analysis)


def _execute(analysis: Analysis) -> dict:
    job = analysis.job or job_create(kind="analysis", created_by=analysis.created_by, total=len(STEPS))
    Analysis.objects.filter(pk=analysis.pk).update(status=Analysis.Status.RUNNING, job=job)

    def progress(step: str) -> None:
        job_progress(job=job, progress=list(STEPS).index(step) + 1, total=len(STEPS), message=STEPS[step])

    try:
        progress("sources")
        viewer = _viewer(analysis.created_by)
        params = analysis.parameters
        comparing = analysis.method == Method.COMPARISON
        layer = source_layer(params["source"], viewer=viewer, need_time=comparing)
        source = source_open(layer, viewer=viewer, with_time=comparing)
        results = RUNNERS[analysis.method](params, [source], progress=progress)
        # the methods read the records once and set their count and digest from that very pass
        digest = fingerprint(method=analysis.method, parameters=params, sources=[source], version=METHOD_VERSION)
        progress("storing")
        with transaction.atomic():
            _outputs_store(analysis=analysis, results=results, digest=digest)
            Analysis.objects.filter(pk=analysis.pk).update(
                status=Analysis.Status.SUCCEEDED, fingerprint=digest, ran_at=timezone.now(), error="",
                sources=[layer.name])
    except (SourceError, MethodError) as exc:
        return _failed(analysis, job, str(exc))
    except Exception:
        logger.exception("analysis %s failed", analysis.pk)
        return _failed(analysis, job, _("The analysis failed; the error was logged"))
    finally:
        tables_drop(STAGED_TABLE, UNITS_TABLE, PIXELS_TABLE)
    result = {"analysis": analysis.pk, "fingerprint": digest, "outputs": [r.key for r in results]}
    job_finish(job=job, result=result)
    return result


def _failed(analysis: Analysis, job: Job, message: str) -> dict:
    Analysis.objects.filter(pk=analysis.pk).update(status=Analysis.Status.FAILED, error=message)
    job_finish(job=job, error=message)
    return {"analysis": analysis.pk, "error": message}


def _outputs_store(*, analysis: Analysis, results: list[Result], digest: str) -> None:
    """Replace the outputs' content in place, so each output keeps its id (and layer name) across runs."""
    analysis.outputs.exclude(key__in=[r.key for r in results]).delete()
    for position, result in enumerate(results):
        output, _created = AnalysisOutput.objects.update_or_create(
            analysis=analysis, key=result.key,
            defaults=dict(kind=result.kind, title_ko=result.title_ko[:200], title_en=result.title_en[:200],
                          value_label=result.value_label[:120], geometry_type=result.geometry_type,
                          legend=result.legend, stats=result.stats, position=position),
        )
        output.cells.all().delete()
        if result.raster is not None:
            relative = f"{RASTER_DIR}/{analysis.pk}/{result.key}-{digest[:16]}.tif"
            path = Path(settings.MEDIA_ROOT) / relative
            geotiff_write(path, result.raster, transform=result.raster_transform, srid=METRIC_SRID)
            previous = output.raster_path
            output.raster_path = relative
            output.full_clean()
            output.save()
            if previous and previous != relative:
                transaction.on_commit(lambda old=previous: (Path(settings.MEDIA_ROOT) / old).unlink(missing_ok=True))
        else:
            output.full_clean()
            cells = [AnalysisCell(output=output, key=row.key, label=row.label[:120], count=row.count,
                                  count_before=row.count_before, value=row.value, p_value=row.p_value,
                                  klass=row.klass, suppressed=row.suppressed, geom=row.geom) for row in result.rows]
            AnalysisCell.objects.bulk_create(cells, batch_size=1000)


def _sources_check_publishable(analysis: Analysis) -> None:
    """A published output may only use what the public may see: every source is a layer the public may
    see, and the public sees every record the run read (no private map, no unlisted map, no content that
    is hidden or awaiting review)."""
    from .sources import source_record_count

    public = _viewer(None)
    author = _viewer(analysis.created_by)
    for name in analysis.sources:
        try:
            layer = source_layer(name, viewer=public)
        except SourceError:
            layer = None
        if layer is None or source_record_count(layer, public) < source_record_count(layer, author):
            raise ValidationError({"sources": _("This analysis reads records that the public may not see (a private "
                                                "or unlisted map, or content awaiting review); only analyses of "
                                                "what the public may see can be published.")})


@transaction.atomic
def analysis_publish(*, analysis: Analysis, user, published: bool = True) -> Analysis:
    """Publish a finished run, or withdraw it (`analysis_access(..., need="edit", lock=True)`)."""
    if published and analysis.status != Analysis.Status.SUCCEEDED:
        raise ValidationError({"status": _("Only a finished run can be published")})
    if published and analysis.withdrawn_at is not None:
        raise ValidationError({"status": _("The owner of a source withdrew this analysis; it cannot be published.")})
    if published:
        _sources_check_publishable(analysis)
    analysis.is_published = published
    analysis.published_at = timezone.now() if published else None
    analysis.save(update_fields=["is_published", "published_at"])
    return analysis


@transaction.atomic
def analysis_withdraw(*, analysis: Analysis, user) -> Analysis:
    """The owner of a source vetoes an analysis of it: unpublished now, and it cannot be published again.
    `analysis` comes from `analysis_access(..., lock=True)`."""
    if not analysis.can_withdraw(user):
        raise PermissionDenied(_("Only the owner of one of its sources (city staff for the city's layers) can "
                                 "withdraw an analysis."))
    analysis.is_published, analysis.published_at = False, None
    analysis.withdrawn_at, analysis.withdrawn_by = timezone.now(), user
    analysis.full_clean()
    analysis.save(update_fields=["is_published", "published_at", "withdrawn_at", "withdrawn_by"])
    return analysis


def _outputs_clear(analysis: Analysis) -> None:
    """Delete the outputs, and their rasters once the transaction commits."""
    paths = [o.raster_path for o in analysis.outputs.all() if o.raster_path]
    analysis.outputs.all().delete()
    transaction.on_commit(lambda: [(Path(settings.MEDIA_ROOT) / p).unlink(missing_ok=True) for p in paths])


@transaction.atomic
def analysis_delete(*, analysis: Analysis) -> None:
    _outputs_clear(analysis)
    analysis.delete()
