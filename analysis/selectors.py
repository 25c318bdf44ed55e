"""Reads on analyses."""
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_city_staff
from geoplatform.ids import id_from

from .models import Analysis, AnalysisCell, AnalysisOutput
from .sources import sources_public


def analyses_withheld_ids() -> list[int]:
    """Published analyses that read a layer the public may no longer see (e.g. a map turned private)."""
    verdicts: dict[str, bool] = {}
    withheld = []
    for pk, sources in Analysis.objects.published().values_list("pk", "sources"):
        for name in sources:
            if name not in verdicts:
                verdicts[name] = sources_public([name])
        if not all(verdicts[name] for name in sources):
            withheld.append(pk)
    return withheld


def owned_source_names(user) -> list[str]:
    """The analysable layers this user owns: their maps (the owner sees and may veto analyses of them)."""
    from maps.models import Map

    if user is None or not user.is_authenticated:
        return []
    return [f"map-{pk}" for pk in Map.objects.filter(owner=user).values_list("pk", flat=True)]


def analysis_list(*, user) -> QuerySet[Analysis]:
    """What this user may see: published analyses of public sources, their own, analyses of the layers they
    own (city staff: everything)."""
    queryset = Analysis.objects.all()
    if not is_city_staff(user):
        visible = Q(is_published=True) & ~Q(pk__in=analyses_withheld_ids())
        if user is not None and user.is_authenticated:
            visible |= Q(created_by=user)
            owned = owned_source_names(user)
            if owned:
                visible |= Q(sources__has_any_keys=owned)
        queryset = queryset.filter(visible)
    return (queryset.select_related("created_by", "job")
            .prefetch_related(Prefetch("outputs", queryset=AnalysisOutput.objects.order_by("position", "id"))))


def analysis_access(*, user, analysis_id, need: str = "view", lock: bool = False) -> Analysis:
    """The one door to an analysis: fetch, check, lock the row when writing (inside the writer's transaction).

    404 for missing and for not-yours-to-see alike (a draft is nobody else's business); `need="edit"` (its author
    or city staff, being analysts) is a 403 for those who may see it but not change it (a published analysis, one
    of a map they own), on the API and the page alike."""
    pk = id_from(analysis_id)
    analyses = analysis_list(user=user)
    if lock:
        analyses = analyses.select_for_update(of=("self",))
    analysis = analyses.filter(pk=pk).first() if pk is not None else None
    if analysis is None or not analysis.can_view(user):
        raise Http404
    if need == "edit" and not analysis.can_edit(user):
        raise PermissionDenied(_("Only the author or city staff"))
    return analysis


def output_access(*, analysis: Analysis, output_id) -> AnalysisOutput:
    """An output of an analysis the viewer may see (`analysis_access` first); 404 when it has no such output."""
    pk = id_from(output_id)
    output = analysis.outputs.filter(pk=pk).first() if pk is not None else None
    if output is None:
        raise Http404
    return output


def output_by_layer_key(key: str) -> AnalysisOutput | None:
    if not key.isdigit():
        return None
    return AnalysisOutput.objects.select_related("analysis").filter(pk=int(key)).first()


def output_cells(output: AnalysisOutput) -> QuerySet[AnalysisCell]:
    return AnalysisCell.objects.of_output(output).order_by("key")


def published_outputs() -> QuerySet[AnalysisOutput]:
    """Outputs the public may see: of published analyses whose sources are all public."""
    return (AnalysisOutput.objects.select_related("analysis").filter(analysis__is_published=True)
            .exclude(analysis_id__in=analyses_withheld_ids()))
