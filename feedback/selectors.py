"""Reads: what the public and each person see of platform feedback and the roadmap."""
from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext

from accounts.permissions import user_or_none
from geoplatform.ids import id_or_404

from .models import Feedback, FeedbackSupport


def feedback_list(*, user=None, state: str | None = None, kind: str | None = None) -> QuerySet[Feedback]:
    feedback = Feedback.objects.with_people()
    viewer = user_or_none(user)
    if viewer is not None:
        feedback = feedback.annotate(i_asked=Exists(FeedbackSupport.objects.filter(feedback=OuterRef("pk"), user=viewer)))
    else:
        feedback = feedback.annotate(i_asked=Value(False, output_field=BooleanField()))
    if state:
        feedback = feedback.in_state(state)
    if kind:
        feedback = feedback.of_kind(kind)
    return feedback


def feedback_access(*, user, feedback_id, lock: bool = False) -> Feedback:
    """The one door to a feedback item: fetch (404 when missing or malformed), lock the row when writing.

    All feedback is public, so there is nothing else to check; who may act is the API view's rule. Unlocked,
    the item comes as the public list shows it (its counts, and whether `user` asked for it too)."""
    pk = id_or_404(feedback_id, gettext("No such feedback."))
    rows = Feedback.objects.select_for_update() if lock else feedback_list(user=user)
    feedback = rows.filter(pk=pk).first()
    if feedback is None:
        raise Http404(gettext("No such feedback."))
    return feedback


def roadmap() -> dict:
    """Planned and done items with how many people asked for each: counts, never names."""
    items = Feedback.objects.on_roadmap().with_people()
    planned = items.filter(state="planned").order_by("-people", "-answered_at", "-pk")
    done = items.filter(state="done").order_by("-answered_at", "-pk")
    people = FeedbackSupport.objects.filter(feedback__state__in=("planned", "done")).values("user").distinct().count()
    return {"planned": planned, "done": done, "people": people}


