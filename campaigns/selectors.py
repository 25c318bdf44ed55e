"""Reads: what the public and each person see of proposals, rounds and campaigns."""
from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext

from accounts.permissions import user_or_none
from districts.models import District
from geoplatform.ids import id_or_404
from maps.models import Feature

from .models import Campaign, Evaluation, Evaluator, Proposal, ProposalComment, RankingEntry, Round, Vote


def proposal_list(*, user=None, round_id: int | None = None, state: str | None = None,
                  district: str | None = None, order: str = "votes") -> QuerySet[Proposal]:
    proposals = (Proposal.objects.visible_to(user).with_votes().with_comment_count().with_campaign_id()
                 .select_related("round", "merged_into").prefetch_related("districts", "projects"))
    viewer = user_or_none(user)
    if viewer is not None:
        proposals = proposals.annotate(my_vote=Exists(Vote.objects.filter(proposal=OuterRef("pk"), voter=viewer)))
    else:
        proposals = proposals.annotate(my_vote=Value(False, output_field=BooleanField()))
    if round_id is not None:
        proposals = proposals.in_round(round_id)
    if state:
        proposals = proposals.filter(state=state)
    if district:
        proposals = proposals.in_district(district)
    if order == "new":
        return proposals.order_by("-created_at", "-pk")
    return proposals.order_by("-vote_count", "-created_at", "-pk")


def proposal_access(*, user, proposal_id, lock: bool = False) -> Proposal:
    """The one door to a proposal: every proposal is public, except those moderation hid (city staff still see
    them); a missing or hidden one (or a malformed id) is a 404. With `lock` (inside the writer's transaction)
    the row is locked and comes without the list's counts; who may act on it is the view's and service's rule."""
    pk = id_or_404(proposal_id, gettext("No such proposal."))
    if lock:
        proposals = Proposal.objects.visible_to(user).select_for_update(of=("self",)).select_related("round", "proposer")
    else:
        proposals = proposal_list(user=user)
    proposal = proposals.filter(pk=pk).first()
    if proposal is None:
        raise Http404(gettext("No such proposal."))
    return proposal


def proposal_comments(*, proposal: Proposal, user=None):
    comments = proposal.comments.all()
    viewer = user_or_none(user)
    if viewer is None or not viewer.is_city_staff:
        comments = comments.filter(is_hidden=False)
    return comments


def comment_access(*, user, proposal: Proposal, comment_id) -> ProposalComment:
    """A comment of a proposal the viewer may see (`proposal_access` first); hidden ones only for city staff.
    Whether the viewer may delete it (403) is the service's rule."""
    comment = proposal_comments(proposal=proposal, user=user).filter(
        pk=id_or_404(comment_id, gettext("No such comment."))).first()
    if comment is None:
        raise Http404(gettext("No such comment."))
    return comment


def round_list() -> QuerySet[Round]:
    return Round.objects.annotate(proposal_count=Count("proposals")).order_by("-starts_at", "-pk")


def round_access(*, user, round_id, lock: bool = False) -> Round:
    """The one door to a round (all are public): 404 when missing. Unlocked it comes with its proposal count
    and frozen ranking; with `lock` (inside the writer's transaction) it is the bare row, locked."""
    pk = id_or_404(round_id, gettext("No such round."))
    if lock:
        round_ = Round.objects.select_for_update().filter(pk=pk).first()
    else:
        ranking = Prefetch("ranking", queryset=RankingEntry.objects.select_related("proposal"))
        round_ = round_list().prefetch_related(ranking).filter(pk=pk).first()
    if round_ is None:
        raise Http404(gettext("No such round."))
    return round_


def round_current() -> Round | None:
    return Round.objects.open_now().order_by("starts_at").first()


def campaign_list():
    return Campaign.objects.select_related("proposal", "map").prefetch_related("target_districts")


def campaign_access(*, user, campaign_id):
    """The one door to a campaign (all are public): 404 when missing or malformed."""
    campaign = campaign_list().filter(pk=id_or_404(campaign_id, gettext("No such campaign."))).first()
    if campaign is None:
        raise Http404(gettext("No such campaign."))
    return campaign


def campaign_progress(*, campaign) -> dict:
    """Live progress from the campaign map's features: what the public sees (published, not hidden)."""
    features = Feature.objects.filter(map_id=campaign.map_id).published()
    totals = features.aggregate(features=Count("pk"), contributors=Count("author", distinct=True))
    targets = list(campaign.target_districts.all())
    districts = District.objects.filter(pk__in=[d.pk for d in targets]) if targets else District.objects.all()
    inside = (features.filter(geom__intersects=OuterRef("geom")).order_by().values("map_id")
              .annotate(n=Count("pk")).values("n"))
    coverage = districts.annotate(features=Coalesce(Subquery(inside, output_field=IntegerField()), Value(0)))
    rows = [{"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en, "features": d.features}
            for d in coverage.order_by("code")]
    covered = sum(1 for row in rows if row["features"])
    goal = campaign.target_features
    return {
        "features": totals["features"],
        "goal": goal,
        "percent": min(100, totals["features"] * 100 // goal) if goal else None,
        "contributors": totals["contributors"],
        "districts_covered": covered,
        "districts_total": len(rows),
        "coverage": rows,
    }


def evaluation_access(*, user, proposal_id) -> Evaluation:
    """A proposal's open evaluation with its timed steps: public, like the proposal (404 if none or hidden)."""
    proposal = proposal_access(user=user, proposal_id=proposal_id)
    evaluation = (Evaluation.objects.filter(proposal=proposal)
                  .prefetch_related("seats", "committee_reviews").first())
    if evaluation is None:
        raise Http404(gettext("This proposal is not in evaluation."))
    scored = [s for s in evaluation.seats.all() if s.scored_at]
    evaluation.mean_score = (round(sum(s.need + s.feasibility + s.benefit for s in scored) / (3 * len(scored)), 2)
                             if scored else None)
    evaluation.steps = [
        {"step": "threshold", "at": evaluation.started_at, "due": None},
        {"step": "citizen_group", "at": evaluation.citizen_done_at, "due": evaluation.citizen_due_at},
        {"step": "committee", "at": (evaluation.committee_reviews.all()[0].created_at
                                     if evaluation.committee_reviews.all() else None),
         "due": evaluation.committee_due_at},
        {"step": "decision", "at": evaluation.decided_at, "due": evaluation.committee_due_at},
    ]
    return evaluation


def evaluator_status(*, user) -> dict:
    evaluator = Evaluator.objects.filter(user=user, is_active=True).first() if user.is_authenticated else None
    return {"volunteer": evaluator is not None, "number": evaluator.pk if evaluator else None}


def evaluation_of(*, proposal: Proposal) -> Evaluation | None:
    """The proposal's evaluation with its seats and committee reviews, or None before the threshold."""
    return (Evaluation.objects.filter(proposal=proposal)
            .prefetch_related("seats", "committee_reviews").first())


def seat_of(*, evaluation: Evaluation | None, user):
    """The viewer's seat in the drawn citizen group, or None."""
    if evaluation is None or not getattr(user, "is_authenticated", False):
        return None
    evaluator_id = Evaluator.objects.filter(user=user).values_list("pk", flat=True).first()
    return next((s for s in evaluation.seats.all() if s.evaluator_id == evaluator_id), None)


def proposal_steps(*, proposal: Proposal, evaluation: Evaluation | None, rule: dict) -> list[dict]:
    """The proposal's public timeline: each step with when it happened (`at`), its deadline (`due`), and
    its state (`done`, `current`, `pending`, `closed` when it ended without passing, `late` past its
    deadline). Labels and notes are in the reader's language."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    now = timezone.now()
    round_ = proposal.round
    votes = getattr(proposal, "vote_count", None)
    if votes is None:
        votes = proposal.votes.count()

    def step(key, label, *, at=None, due=None, state="pending", note=""):
        if state == "current" and due is not None and now > due:
            state = "late"
        return {"key": key, "label": label, "at": at, "due": due, "state": state, "note": note}

    steps = [step("proposed", _("Proposed"), at=proposal.created_at, state="done")]
    decided_at = evaluation.decided_at if evaluation else proposal.answered_at
    if proposal.kind == "map_topic":
        votes_state = "done" if round_ and round_.closed_at else "current" if round_ else "pending"
        steps.append(step("votes", _("Votes in the round"), at=round_.closed_at if round_ else None,
                          due=round_.ends_at if round_ else None, state=votes_state,
                          note=_("%(votes)d supporters") % {"votes": votes}))
        steps.append(step("decision", _("The city's answer"), at=proposal.answered_at,
                          state="done" if proposal.answered_at else "current" if votes_state == "done" else "pending"))
        return steps

    support = {"votes": votes, "threshold": rule["threshold"]}
    if evaluation is not None:
        steps.append(step("support", _("Support collection"), at=evaluation.started_at,
                          due=round_.ends_at if round_ else None, state="done",
                          note=_("Reached %(votes)d of the %(threshold)d supporters needed.")
                          % {"votes": evaluation.votes_at_start, "threshold": rule["threshold"]}))
    elif round_ is not None and round_.closed_at:
        steps.append(step("support", _("Support collection"), at=round_.closed_at, due=round_.ends_at, state="closed",
                          note=_("Closed with %(votes)d of the %(threshold)d supporters needed: not evaluated.")
                          % support))
    else:
        steps.append(step("support", _("Support collection"), due=round_.ends_at if round_ else None,
                          state="current" if round_ is not None and proposal.state == "open" else "pending",
                          note=(_("%(votes)d of the %(threshold)d supporters needed.") % support) if round_
                          else _("Support collection starts with the next round.")))
    if evaluation is None:
        steps.append(step("citizen_group", _("Citizen evaluation group"),
                          note=_("%(size)d volunteers drawn at random score it within %(days)d days.")
                          % {"size": rule["group_size"], "days": rule["days"]}))
        steps.append(step("committee", _("City committee review")))
        steps.append(step("decision", _("Decision and the officials' feedback"), at=proposal.answered_at,
                          state="done" if proposal.answered_at else "pending"))
        return steps
    seats = list(evaluation.seats.all())
    scored = sum(1 for s in seats if s.scored_at)
    steps.append(step("citizen_group", _("Citizen evaluation group"), at=evaluation.citizen_done_at,
                      due=evaluation.citizen_due_at, state="done" if evaluation.citizen_done_at else "current",
                      note=_("%(scored)d of %(size)d citizens drawn at random have scored.")
                      % {"scored": scored, "size": evaluation.group_size}))
    reviews = list(evaluation.committee_reviews.all())
    steps.append(step("committee", _("City committee review"), at=reviews[0].created_at if reviews else None,
                      due=evaluation.committee_due_at,
                      state="done" if reviews else "current" if evaluation.citizen_done_at else "pending",
                      note=_("%(n)d committee reviews.") % {"n": len(reviews)}))
    steps.append(step("decision", _("Decision and the officials' feedback"), at=decided_at,
                      due=evaluation.committee_due_at,
                      state="done" if decided_at else "current" if reviews and evaluation.citizen_done_at else "pending"))
    return steps


def round_budget(*, round_: Round) -> dict | None:
    """A capped round's winning set: frozen at its close, or provisional (the rule applied to today's votes)."""
    from .budget import budget_table

    if round_.budget_cap is None:
        return None
    if round_.closed_at:
        entries = list(round_.ranking.all())
        table = budget_table(cap=round_.budget_cap,
                             rows=[(e.proposal, e.votes, e.proposal.budget_estimate) for e in entries],
                             funded={e.proposal_id for e in entries if e.funded})
    else:
        proposals = (Proposal.objects.filter(round=round_, is_hidden=False).exclude(state="declined").with_votes()
                     .order_by("-vote_count", "created_at", "pk"))
        table = budget_table(cap=round_.budget_cap, rows=[(p, p.vote_count, p.budget_estimate) for p in proposals])
    return {**table, "provisional": round_.closed_at is None}
