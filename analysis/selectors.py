"""Reads on analyses."""
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from .models import Analysis, AnalysisCell, AnalysisOutput


def analysis_list(*, user) -> QuerySet[Analysis]:
    return (Analysis.objects.visible_to(user).select_related("created_by", "job")
            .prefetch_related(Prefetch("outputs", queryset=AnalysisOutput.objects.order_by("position", "id"))))


def analysis_get(*, pk, user, for_edit: bool = False) -> Analysis:
    """The analysis if the user may see it (or edit it); 404 for missing and for not-yours alike."""
    analysis = analysis_list(user=user).filter(pk=pk).first() if str(pk).isdigit() else None
    if analysis is None or not analysis.can_view(user) or (for_edit and not analysis.can_edit(user)):
        raise Http404
    return analysis


def output_get(*, analysis: Analysis, output_id) -> AnalysisOutput:
    output = analysis.outputs.filter(pk=output_id).first() if str(output_id).isdigit() else None
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
    return AnalysisOutput.objects.select_related("analysis").filter(analysis__is_published=True)
