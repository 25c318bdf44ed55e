"""Web pages: topic proposals and rounds, campaigns with their progress.

Pages render what the public may see on the server (readable without JavaScript); the page
scripts add voting, proposing, feedback and staff triage through the API.
"""
from django.apps import apps
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import is_city_staff
from districts.models import District
from maps.selectors import template_list


from . import selectors, services
from .models import Proposal, ProposalKind, Round


def _districts():
    return [{"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}
            for d in District.objects.order_by("name_ko").only("code", "name_ko", "name_en")]


def _voting(proposal) -> bool:
    return proposal.round is None or proposal.round.status in ("scheduled", "open")


def proposals_page(request):
    services.steps_close_due()  # a round or a citizen step whose time is up shows as closed at once
    current = Round.objects.accepting_proposals().order_by("starts_at", "pk").first()
    proposals = list(selectors.proposal_list(user=request.user)[:200])
    closed_rounds = list(selectors.round_list().filter(closed_at__isnull=False).prefetch_related("ranking__proposal")[:5])
    for round_ in closed_rounds:
        round_.budget = selectors.round_budget(round_=round_)
    is_staff = Round.can_manage(request.user)
    config = {"districts": _districts(), "signedIn": request.user.is_authenticated, "isStaff": is_staff}
    if is_staff:
        config["mergeTargets"] = [{"id": p.pk, "title": p.title} for p in proposals if p.state in ("open", "selected")]
        config["templates"] = [{"slug": t.slug, "title_ko": t.title_ko, "title_en": t.title_en}
                               for t in template_list(user=request.user) if t.is_active]
    return render(request, "campaigns/proposals.html", {
        "current_round": current,
        "current_budget": selectors.round_budget(round_=current) if current else None,
        "open_proposals": [p for p in proposals if p.state == "open" and _voting(p)],
        "awaiting_proposals": [p for p in proposals if p.state == "open" and not _voting(p)],
        "answered_proposals": [p for p in proposals if p.state != "open"],
        "closed_rounds": closed_rounds,
        "is_staff": is_staff,
        "rule_kinds": [(k, ProposalKind(k).label) for k in (ProposalKind.POLICY, ProposalKind.LOCAL_PROJECT)],
        "page_config": config,
    })


def campaigns_page(request):
    campaigns = [(c, selectors.campaign_progress(campaign=c)) for c in selectors.campaign_list()[:50]]
    return render(request, "campaigns/campaigns.html", {"campaigns": campaigns, "page_config": {}})


def proposal_page(request, pk):
    """One proposal with its public timeline: support, the drawn citizen group's scores, the committee's
    reviews, the decision and the officials' feedback; the forms for whoever may act on the current step."""
    services.steps_close_due()
    proposal = selectors.proposal_access(user=request.user, proposal_id=pk)
    evaluation = selectors.evaluation_of(proposal=proposal)
    rule = services.evaluation_rule(kind=proposal.kind, round_=proposal.round)
    is_staff = Round.can_manage(request.user)
    seat = selectors.seat_of(evaluation=evaluation, user=request.user)
    volunteer = selectors.evaluator_status(user=request.user)
    now = timezone.now()
    citizen_open = bool(evaluation and evaluation.citizen_done_at is None and now <= evaluation.citizen_due_at)
    decided = bool(evaluation and evaluation.decided_at)
    reviewed = bool(evaluation and request.user.is_authenticated
                    and any(r.reviewer_id == request.user.pk for r in evaluation.committee_reviews.all()))
    config = {"proposal": proposal.pk, "signedIn": request.user.is_authenticated, "isStaff": is_staff,
              "place": ({"type": "Point", "coordinates": [proposal.place.x, proposal.place.y]}
                        if proposal.place else None)}
    if is_staff and evaluation and not decided:
        Project = apps.get_model("projects", "Project")  # the app above this one: looked up, not imported
        config["projects"] = [{"id": p.pk, "title_ko": p.title_ko, "title_en": p.title_en}
                              for p in Project.objects.order_by("-updated_at").only("title_ko", "title_en")[:300]]
        config["mergeTargets"] = [{"id": p.pk, "title": p.title} for p in
                                  Proposal.objects.filter(is_hidden=False).exclude(pk=proposal.pk)
                                  .exclude(state__in=("declined", "merged")).order_by("-created_at")[:300]]
        config["districts"] = [d.code for d in proposal.districts.all()]
        config["budget"] = proposal.budget_estimate
    return render(request, "campaigns/proposal.html", {
        "proposal": proposal, "evaluation": evaluation, "rule": rule,
        "steps": selectors.proposal_steps(proposal=proposal, evaluation=evaluation, rule=rule),
        "seat": seat, "volunteer": volunteer, "citizen_open": citizen_open, "is_staff": is_staff,
        "can_review": is_staff and evaluation is not None and not decided and not reviewed,
        "can_decide": is_staff and evaluation is not None and not decided,
        "voting": proposal.state == "open" and proposal.round is not None and proposal.round.status == "open",
        "page_config": config,
    })
