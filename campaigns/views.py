"""Web pages: topic proposals and rounds, campaigns with their progress.

Pages render what the public may see on the server (readable without JavaScript); the page
scripts add voting, proposing, feedback and staff triage through the API.
"""
from django.shortcuts import render

from accounts.permissions import is_city_staff
from districts.models import District
from maps.selectors import template_list


from . import selectors, services
from .models import Round


def _districts():
    return [{"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}
            for d in District.objects.order_by("name_ko").only("code", "name_ko", "name_en")]


def _voting(proposal) -> bool:
    return proposal.round is None or proposal.round.status in ("scheduled", "open")


def proposals_page(request):
    services.rounds_close_due()  # a round that has ended shows its frozen ranking at once
    current = Round.objects.accepting_proposals().order_by("starts_at", "pk").first()
    proposals = list(selectors.proposal_list(user=request.user)[:200])
    closed_rounds = list(selectors.round_list().filter(closed_at__isnull=False).prefetch_related("ranking__proposal")[:5])
    is_staff = Round.can_manage(request.user)
    config = {"districts": _districts(), "signedIn": request.user.is_authenticated, "isStaff": is_staff}
    if is_staff:
        config["mergeTargets"] = [{"id": p.pk, "title": p.title} for p in proposals if p.state in ("open", "selected")]
        config["templates"] = [{"slug": t.slug, "title_ko": t.title_ko, "title_en": t.title_en}
                               for t in template_list(user=request.user) if t.is_active]
    return render(request, "campaigns/proposals.html", {
        "current_round": current,
        "open_proposals": [p for p in proposals if p.state == "open" and _voting(p)],
        "awaiting_proposals": [p for p in proposals if p.state == "open" and not _voting(p)],
        "answered_proposals": [p for p in proposals if p.state != "open"],
        "closed_rounds": closed_rounds,
        "is_staff": is_staff,
        "page_config": config,
    })


def campaigns_page(request):
    campaigns = [(c, selectors.campaign_progress(campaign=c)) for c in selectors.campaign_list()[:50]]
    return render(request, "campaigns/campaigns.html", {"campaigns": campaigns, "page_config": {}})
