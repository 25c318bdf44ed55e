"""Writes: proposals, votes, rounds and their frozen rankings, answers and campaigns.

Every function takes keyword-only arguments, validates with `full_clean()` and
runs in one transaction; tile-cache invalidation waits for the commit. Errors
are Django `ValidationError`s in the reader's language (the API turns
them into 400s); `PermissionDenied` becomes 403.
"""
from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require_creator
from audit.services import audit_record
from districts.models import District
from geoplatform.errors import field_error
from geoplatform.messages import stored
from geoplatform.text import markdown_to_safe_html, text_clean
from layers.services import tile_cache_invalidate
from moderation.services import content_hidden_set
from notifications.messages import WITH_LINK
from notifications.services import notification_create

from . import messages
from .budget import budget_winners  # noqa: F401  (the rule lives in budget.py; round_close applies it)
from .models import (
    AreaScope,
    CommitteeReview,
    Evaluation,
    EvaluationSeat,
    Evaluator,
    ProposalKind,
    Proposal,
    ProposalComment,
    ProposalState,
    RankingEntry,
    Round,
    Vote,
)
from .selectors import round_access

MAX_CATEGORIES = 12
class AlreadyVoted(ValidationError):
    """The database refused a second vote by the same citizen on the same proposal."""



def districts_union(districts) -> MultiPolygon | None:
    """One MultiPolygon covering the districts (computed by PostGIS)."""
    ids = [d.pk for d in districts]
    if not ids:
        return None
    geom = District.objects.filter(pk__in=ids).aggregate(u=Union("geom"))["u"]
    if geom is None:
        return None
    return geom if geom.geom_type == "MultiPolygon" else MultiPolygon(geom, srid=4326)


def districts_from_codes(field: str, codes) -> list[District]:
    codes = list(dict.fromkeys(str(c) for c in (codes or [])))
    districts = list(District.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {d.code for d in districts})
    if unknown:
        raise field_error(field, gettext("Unknown district code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    return districts


# --- proposals -------------------------------------------------------------------------------

def _categories_clean(categories) -> list[str]:
    if categories is None:
        return []
    if not isinstance(categories, (list, tuple)):
        raise field_error("categories", gettext("Give categories as a list of words."))
    cleaned = []
    for value in categories:
        if not isinstance(value, str):
            raise field_error("categories", gettext("Each category is a short text."))
        text = text_clean("categories", value, max_length=60, required=True)
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_CATEGORIES:
        raise field_error("categories", gettext("At most %(n)d categories.") % {"n": MAX_CATEGORIES})
    return cleaned


def _round_for_new_proposal(round_id: int | None) -> Round | None:
    """The round a new proposal joins: the one asked for, else the running one, else the next one."""
    if round_id is not None:
        round_ = Round.objects.filter(pk=round_id).first()
        if round_ is None or not round_.accepts_proposals():
            raise field_error("round", gettext("That round does not take proposals (it is over or does not exist)."))
        return round_
    return Round.objects.accepting_proposals().order_by("starts_at", "pk").first()


@transaction.atomic
def proposal_create(*, proposer, title: str, why: str, area_scope: str = AreaScope.SEOUL,
                    district_codes: list[str] | None = None, categories: list[str] | None = None,
                    round_id: int | None = None, kind: str = ProposalKind.MAP_TOPIC, place=None,
                    budget_estimate: int | None = None) -> Proposal:
    """A citizen's proposal: a map topic (ranked in rounds) or a policy or local project (evaluated in the
    open once it reaches the support threshold), with an optional place and cost estimate."""
    require_creator(proposer)
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": gettext("Choose map_topic, policy or local_project.")})
    if place is not None:
        from geoplatform.geometry import geometry_check

        if place.geom_type != "Point":
            raise ValidationError({"place": gettext("The place is one point on the map.")})
        try:
            geometry_check(place)
        except ValidationError as exc:
            raise ValidationError({"place": exc.messages})
    if budget_estimate is not None and not 0 <= budget_estimate <= 10**15:
        raise ValidationError({"budget_estimate": gettext("Give an amount in won between 0 and 10^15.")})
    title = text_clean("title", title, max_length=200, required=True)
    why = text_clean("why", why, max_length=4000, required=True)
    if area_scope not in AreaScope.values:
        raise field_error("area_scope", gettext("Choose 'seoul' or 'districts'."))
    districts = districts_from_codes("districts", district_codes)
    if area_scope == AreaScope.DISTRICTS and not districts:
        raise field_error("districts", gettext("Choose at least one district."))
    if area_scope == AreaScope.SEOUL and districts:
        raise field_error("districts", gettext("A proposal for all of Seoul takes no districts."))
    proposal = Proposal(
        title=title, why=why, why_html=markdown_to_safe_html(why), area_scope=area_scope,
        area=districts_union(districts), categories=_categories_clean(categories), proposer=proposer,
        round=_round_for_new_proposal(round_id), kind=kind, place=place, budget_estimate=budget_estimate,
    )
    proposal.full_clean()
    proposal.save()
    proposal.districts.set(districts)
    tile_cache_invalidate(layer_name="proposals", geometries=[proposal.area])
    return proposal


@transaction.atomic
def comment_create(*, proposal: Proposal, author, text: str) -> ProposalComment:
    require_creator(author)
    comment = ProposalComment(proposal=proposal, author=author, text=text_clean("text", text, max_length=2000, required=True))
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_delete(*, comment: ProposalComment, actor) -> None:
    """The author takes their comment back, or city staff remove it (recorded in the audit log)."""
    if not comment.can_delete(actor):
        raise PermissionDenied(gettext("Only its author or city staff may delete a comment."))
    if actor.pk != comment.author_id:
        audit_record(actor=actor, action="proposal_comment.delete", target=comment, before={"text": comment.text},
                     after=None)
    comment.delete()


@transaction.atomic
def content_hide(*, target: Proposal | ProposalComment, actor, hidden: bool, reason: str = "") -> None:
    """City staff hide abusive proposals or comments from the public (or show them again), with a reason."""
    reason = text_clean("reason", reason, max_length=500, required=hidden)
    content_hidden_set(target=target, hidden=hidden, actor=actor,
                       action=f"{target._meta.model_name}.{'hide' if hidden else 'show'}", details={"reason": reason})


def _proposal_for_voting(proposal: Proposal) -> Proposal:
    """The proposal, with its round share-locked so that closing waits for votes in flight."""
    if proposal.is_hidden:
        raise field_error("proposal", gettext("No such proposal."), "not_found")
    if proposal.state != ProposalState.OPEN:
        raise field_error("proposal", gettext("This proposal has been answered; voting on it is over."), "answered")
    if proposal.round_id is None:
        raise field_error("proposal", gettext("Voting on this proposal starts with the next round."), "no_round")
    table = Round._meta.db_table
    round_ = next(iter(Round.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [proposal.round_id])))
    status = round_.status
    if status == "scheduled":
        raise field_error("round", gettext("Voting opens on %(when)s.")
                     % {"when": f"{timezone.localtime(round_.starts_at):%Y-%m-%d %H:%M}"}, "not_started")
    if status != "open":
        raise field_error("round", gettext("This round has ended; votes can no longer change."), "ended")
    proposal.round = round_
    return proposal


@transaction.atomic
def vote_cast(*, proposal: Proposal, voter) -> Vote:
    require_creator(voter)
    if not voter.email_verified:
        # One vote per person: an account counts once its e-mail is confirmed (accounts: signed link).
        raise PermissionDenied(gettext("Confirm your e-mail address before voting."))
    proposal = _proposal_for_voting(proposal)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(proposal=proposal, voter=voter)
    except IntegrityError:
        raise AlreadyVoted({"vote": ValidationError(
            gettext("You already support this proposal."), code="duplicate")})
    tile_cache_invalidate(layer_name="proposals", geometries=[proposal.area])
    if proposal.kind != ProposalKind.MAP_TOPIC:
        evaluation_start_if_due(proposal_id=proposal.pk)
    return vote


@transaction.atomic
def vote_withdraw(*, proposal: Proposal, voter) -> None:
    require_creator(voter)
    proposal = _proposal_for_voting(proposal)
    deleted, _ = Vote.objects.filter(proposal=proposal, voter=voter).delete()
    if not deleted:
        raise field_error("vote", gettext("You have not supported this proposal."), "no_vote")
    tile_cache_invalidate(layer_name="proposals", geometries=[proposal.area])


@transaction.atomic
def proposal_answer(*, proposal: Proposal, actor, state: str, answer: str = "",
                    merged_into_id: int | None = None) -> Proposal:
    """The city's public answer: selected, merged with another proposal, or declined with a reason.
    `proposal` comes from `proposal_access(..., lock=True)`; the view lets only city staff call it."""
    if proposal.state != ProposalState.OPEN:
        raise field_error("state", gettext("This proposal already has an answer."), "answered")
    if state not in (ProposalState.SELECTED, ProposalState.MERGED, ProposalState.DECLINED):
        raise field_error("state", gettext("Answer with 'selected', 'merged' or 'declined'."))
    answer = text_clean("answer", answer, max_length=4000, required=state != ProposalState.SELECTED)
    round_closed = Round.objects.filter(pk=proposal.round_id, closed_at__isnull=False).exists()
    if state == ProposalState.SELECTED and not round_closed:
        raise field_error("state", gettext("Select a proposal once its round has closed and the ranking is published."), "round_not_closed")
    merged_into = None
    if state == ProposalState.MERGED:
        merged_into = Proposal.objects.filter(pk=merged_into_id).first() if merged_into_id else None
        if merged_into is None or merged_into.pk == proposal.pk:
            raise field_error("merged_into", gettext("Name another existing proposal to merge into."))
        if merged_into.state not in (ProposalState.OPEN, ProposalState.SELECTED):
            raise field_error("merged_into", gettext("Merge only into an open or selected proposal."))
    elif merged_into_id:
        raise field_error("merged_into", gettext("Only a merge names another proposal."))
    if state == ProposalState.SELECTED and not answer:
        answer = gettext("Selected: it becomes a campaign map.")
    proposal.state = state
    proposal.answer = answer
    proposal.merged_into = merged_into
    proposal.answered_at = timezone.now()
    proposal.answered_by = actor
    proposal.full_clean()
    proposal.save(update_fields=["state", "answer", "merged_into", "answered_at", "answered_by"])  # only what the answer sets
    audit_record(actor=actor, action="proposal.answer", target=proposal, before={"state": ProposalState.OPEN},
                 after={"state": state, "answer": answer, "merged_into": merged_into_id})
    notification_create(user=proposal.proposer, kind="proposal_answered",
                        title=stored(messages.ANSWERED_TITLE, state=messages.state_param(state)),
                        body=f"{proposal.title}\n\n{answer}\n\n/proposals/#proposal-{proposal.pk}")
    tile_cache_invalidate(layer_name="proposals", geometries=[proposal.area])
    return proposal


# --- rounds ------------------------------------------------------------------------------------

@transaction.atomic
def round_create(*, actor, title: str, starts_at, ends_at, description: str = "",
                 budget_cap: int | None = None, evaluation_rules: dict | None = None) -> Round:
    title = text_clean("title", title, max_length=200, required=True)
    description = text_clean("description", description, max_length=4000, required=False)
    if ends_at <= starts_at:
        raise field_error("ends_at", gettext("A round ends after it starts."))
    if ends_at <= timezone.now():
        raise field_error("ends_at", gettext("A new round must end in the future."))
    overlapping = Round.objects.select_for_update().filter(starts_at__lt=ends_at, ends_at__gt=starts_at,
                                                           closed_at__isnull=True)
    if overlapping.exists():
        raise field_error("starts_at", gettext("Another round runs in that period."), "overlap")
    if budget_cap is not None and not 0 < budget_cap <= 10**15:
        raise ValidationError({"budget_cap": gettext("Give a budget cap in won between 1 and 10^15.")})
    round_ = Round(title=title, description=description, starts_at=starts_at, ends_at=ends_at, created_by=actor,
                   budget_cap=budget_cap, evaluation_rules=evaluation_rules_clean(evaluation_rules))
    round_.full_clean()
    round_.save()
    # Proposals made while no round took them wait for this one.
    Proposal.objects.waiting_for_round().update(round=round_)
    transaction.on_commit(lambda: _schedule_close(round_))
    return round_


def _schedule_close(round_: Round) -> None:
    """With a backend that can defer (the database worker), close the round when it ends."""
    from .tasks import rounds_close_due_task

    if rounds_close_due_task.get_backend().supports_defer:
        rounds_close_due_task.using(run_after=round_.ends_at).enqueue()


@transaction.atomic
def round_close(*, round_: Round, actor=None) -> Round:
    """Freeze and publish the ranking. Idempotent: a closed round is returned unchanged.

    `round_` comes from `round_access(..., lock=True)`. Without an actor (the scheduled task, a page read)
    only a round past its end is closed; city staff (the API view's rule) may close a running round early,
    which ends it now.
    """
    if round_.closed_at:
        return round_
    now = timezone.now()
    if now < round_.starts_at:
        raise field_error("round", gettext("This round has not started yet."), "not_started")
    if now < round_.ends_at:
        if actor is None:
            return round_
        round_.ends_at = now
    proposals = (Proposal.objects.filter(round=round_, is_hidden=False).exclude(state=ProposalState.DECLINED).with_votes()
                 .select_related("proposer").order_by("-vote_count", "created_at", "pk"))
    entries, previous, rank = [], None, 0
    for position, proposal in enumerate(proposals, start=1):
        if proposal.vote_count != previous:  # ties share a rank: 1, 2, 2, 4
            rank, previous = position, proposal.vote_count
        entries.append(RankingEntry(round=round_, proposal=proposal, rank=rank, votes=proposal.vote_count))
    if round_.budget_cap is not None:
        funded = budget_winners(cap=round_.budget_cap, ranked=[(e.proposal_id, e.proposal.budget_estimate)
                                                                for e in entries])
        for entry in entries:
            entry.funded = entry.proposal_id in funded
    RankingEntry.objects.bulk_create(entries)
    round_.closed_at = now
    round_.full_clean()
    round_.save(update_fields=["ends_at", "closed_at"])  # only what closing sets
    _support_closed(round_, entries)
    if actor is not None:
        audit_record(actor=actor, action="round.close", target=round_, before=None,
                     after={"ranking": [[e.proposal_id, e.rank, e.votes] for e in entries]})
    return round_


def _support_closed(round_: Round, entries: list[RankingEntry]) -> None:
    """Support collection is over: each policy or local project that did not reach its threshold is told so."""
    for entry in entries:
        proposal = entry.proposal
        if proposal.kind == ProposalKind.MAP_TOPIC or proposal.state != ProposalState.OPEN:
            continue
        rule = evaluation_rule(kind=proposal.kind, round_=round_)
        _tell(proposal.proposer, kind="proposal_support_closed", proposal_id=proposal.pk,
              title=stored(messages.SUPPORT_CLOSED_TITLE),
              body=stored(messages.SUPPORT_CLOSED_BODY, title=proposal.title, votes=entry.votes,
                          threshold=rule["threshold"], date=_due(round_.closed_at)))


def rounds_close_due() -> list[int]:
    """Close every round whose end has passed (the periodic task and `manage.py close_rounds`)."""
    closed = []
    for round_id in Round.objects.due().values_list("pk", flat=True):
        with transaction.atomic():
            round_close(round_=round_access(user=None, round_id=round_id, lock=True))
        closed.append(round_id)
    return closed


# --- campaigns -------------------------------------------------------------------------------

CATEGORY_COLORS = ("#e4572e", "#3d5a80", "#2a9d8f", "#e9c46a", "#8d5fd3", "#f4a261", "#6c757d", "#d62828")


def _map_categories(template, suggested: list[str]) -> list[dict]:
    """The template's categories, then the proposer's suggested ones (as `topic_N` keys)."""
    categories = [dict(c) for c in (template.categories or [])]
    known = {c["label_ko"] for c in categories} | {c["label_en"] for c in categories}
    for index, label in enumerate(suggested, start=1):
        if label in known:
            continue
        categories.append({"key": f"topic_{index}", "label_ko": label[:80], "label_en": label[:80],
                           "color": CATEGORY_COLORS[index % len(CATEGORY_COLORS)], "icon": "marker"})
    return categories[:40]


@transaction.atomic
def campaign_create(*, actor, proposal_id: int, template_slug: str, goal: str, title: str = "",
                    contribution_mode: str = "open", target_district_codes: list[str] | None = None,
                    target_features: int | None = None):
    """Turn a selected proposal into a campaign: a public crowdsourced map made by the maps app."""
    from maps.models import MapTemplate, Visibility
    from maps.services import map_create

    from .models import Campaign, ContributionMode

    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise field_error("proposal", gettext("No such proposal."), "not_found")
    if proposal.state != ProposalState.SELECTED:
        raise field_error("proposal", gettext("Only a selected proposal becomes a campaign."), "not_selected")
    if Campaign.objects.filter(proposal=proposal).exists():
        raise field_error("proposal", gettext("This proposal already has its campaign."), "exists")
    if contribution_mode not in ContributionMode.values:
        raise field_error("contribution_mode", gettext("Choose 'open' or 'moderated'."))
    template = MapTemplate.objects.filter(slug=template_slug or "", is_active=True).first()
    if template is None:
        slugs = ", ".join(MapTemplate.objects.filter(is_active=True).values_list("slug", flat=True))
        raise field_error("template", gettext("Choose a map template: %(slugs)s.") % {"slugs": slugs})
    title = text_clean("title", title or proposal.title, max_length=200, required=True)
    goal = text_clean("goal", goal, max_length=2000, required=True)
    if target_district_codes is None:
        districts = list(proposal.districts.all())
    else:
        districts = districts_from_codes("target_districts", target_district_codes)
    area = districts_union(districts)
    # The map's description is content written by the city, in the language of the official opening it.
    description = f"{goal}\n\n" + gettext("A campaign map from the citizens' proposal \"%(title)s\".") % {
        "title": proposal.title}
    map_obj = map_create(
        owner=actor, title=title, description=description, template=template, visibility=Visibility.PUBLIC,
        contribution_mode=contribution_mode, categories=_map_categories(template, proposal.categories),
        center=area.point_on_surface if area is not None else None, zoom=13 if area is not None else 11,
    )
    campaign = Campaign(proposal=proposal, map=map_obj, title=title, goal=goal, contribution_mode=contribution_mode,
                        target_features=target_features, area=area, created_by=actor)
    campaign.full_clean()
    campaign.save()
    campaign.target_districts.set(districts)
    audit_record(actor=actor, action="campaign.create", target=campaign, before=None,
                 after={"proposal": proposal.pk, "map": map_obj.pk, "template": template.slug})
    supporters = {proposal.proposer_id, *Vote.objects.filter(proposal=proposal).values_list("voter_id", flat=True)}
    for user in get_user_model().objects.filter(pk__in=supporters):
        notification_create(user=user, kind="campaign_started",
                            title=stored(messages.CAMPAIGN_STARTED_TITLE, title=title),
                            body=f"{goal}\n\n/maps/{map_obj.pk}/")
    tile_cache_invalidate(layer_name="campaigns", geometries=[area])
    return campaign


# --- open evaluation (policies and local projects) ------------------------------------------------

RULE_NAMES = ("threshold", "group_size", "days")
RULE_LIMITS = {"threshold": (1, 1_000_000), "group_size": (0, 100), "days": (1, 365)}


def evaluation_rule(*, kind: str, round_: Round | None) -> dict:
    """The support threshold, group size and days for a kind of proposal in a round.

    The round's own rule for the kind wins; then the settings' rule for the kind
    (`PROPOSALS_EVALUATION_BY_KIND`); then the settings' defaults (`PROPOSALS_EVALUATION_THRESHOLD`, …).
    """
    from django.conf import settings

    rule = {"threshold": settings.PROPOSALS_EVALUATION_THRESHOLD,
            "group_size": settings.PROPOSALS_EVALUATION_GROUP_SIZE, "days": settings.PROPOSALS_EVALUATION_DAYS}
    rule.update({k: v for k, v in (settings.PROPOSALS_EVALUATION_BY_KIND or {}).get(kind, {}).items() if k in rule})
    if round_ is not None:
        rule.update({k: v for k, v in (round_.evaluation_rules or {}).get(kind, {}).items() if k in rule})
    return {k: int(v) for k, v in rule.items()}


def evaluation_rules_clean(rules) -> dict:
    """A round's rules per kind, checked: {kind: {threshold, group_size, days}} with whole numbers in range."""
    if rules in (None, ""):
        return {}
    if not isinstance(rules, dict):
        raise ValidationError({"evaluation_rules": gettext("Give the rules per kind of proposal.")})
    cleaned = {}
    for kind, rule in rules.items():
        if kind not in (ProposalKind.POLICY, ProposalKind.LOCAL_PROJECT) or not isinstance(rule, dict):
            raise ValidationError({"evaluation_rules": gettext("Rules are for policy or local_project proposals.")})
        for name, value in rule.items():
            low, high = RULE_LIMITS.get(name, (None, None))
            if low is None:
                raise ValidationError({"evaluation_rules": gettext("A rule sets threshold, group_size or days.")})
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValidationError({"evaluation_rules": gettext("%(name)s is a whole number from %(low)d to %(high)d.")
                                       % {"name": name, "low": low, "high": high}})
            cleaned.setdefault(kind, {})[name] = value
    return cleaned


def _proposal_url(proposal_id: int) -> str:
    return f"/proposals/{proposal_id}/"


def _due(when) -> str:
    return f"{timezone.localtime(when):%Y-%m-%d %H:%M}"


def _tell(user, *, kind: str, title: dict, body: dict, proposal_id: int) -> None:
    """A notification stored as message keys (rendered in each reader's language), with the proposal's page."""
    notification_create(user=user, kind=kind, title=title,
                        body=stored(WITH_LINK, text=body, url=_proposal_url(proposal_id)))


def evaluation_draw(*, seed: str, pool: list[int], size: int) -> list[int]:
    """The drawn group: anyone can repeat it from the published seed and pool."""
    import random

    return sorted(random.Random(seed).sample(sorted(pool), min(size, len(pool))))


@transaction.atomic
def evaluator_join(*, user) -> Evaluator:
    """Volunteer for citizen evaluation groups (or come back after leaving)."""
    require_creator(user)
    evaluator, _created = Evaluator.objects.get_or_create(user=user)
    if not evaluator.is_active:
        evaluator.is_active = True
        evaluator.save(update_fields=["is_active"])
    return evaluator


@transaction.atomic
def evaluator_leave(*, user) -> None:
    require_creator(user)
    Evaluator.objects.filter(user=user).update(is_active=False)


@transaction.atomic
def evaluation_start_if_due(*, proposal_id: int) -> Evaluation | None:
    """When a policy or local-project proposal reaches its support threshold, draw its citizen group.

    The proposal row is locked, so two votes crossing the threshold at once start one evaluation.
    The threshold, group size and days come from `evaluation_rule` (the round's, else the settings').
    """
    import secrets

    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("proposer", "round").get(pk=proposal_id)
    if proposal.kind == ProposalKind.MAP_TOPIC or proposal.state != ProposalState.OPEN:
        return None
    if Evaluation.objects.filter(proposal=proposal).exists():
        return None
    votes = Vote.objects.filter(proposal=proposal).count()
    rule = evaluation_rule(kind=proposal.kind, round_=proposal.round)
    if votes < rule["threshold"]:
        return None
    now = timezone.now()
    pool = sorted(Evaluator.objects.filter(is_active=True).exclude(user=proposal.proposer)
                  .values_list("pk", flat=True))
    seed = secrets.token_hex(16)
    drawn = evaluation_draw(seed=seed, pool=pool, size=rule["group_size"])
    days = datetime.timedelta(days=rule["days"])
    evaluation = Evaluation(proposal=proposal, started_at=now, votes_at_start=votes, seed=seed, pool=pool,
                            drawn=drawn, group_size=len(drawn), citizen_due_at=now + days,
                            committee_due_at=now + 2 * days, citizen_done_at=None if drawn else now)
    evaluation.full_clean()
    evaluation.save()
    EvaluationSeat.objects.bulk_create([EvaluationSeat(evaluation=evaluation, evaluator_id=pk) for pk in drawn])
    proposal.state = ProposalState.EVALUATION
    proposal.save(update_fields=["state"])
    audit_record(actor=None, action="evaluation.start", target=proposal, before={"state": ProposalState.OPEN},
                 after={"votes": votes, "seed": seed, "pool": pool, "drawn": drawn, "rule": rule})
    due = _due(evaluation.citizen_due_at)
    _tell(proposal.proposer, kind="proposal_evaluation", proposal_id=proposal.pk,
          title=stored(messages.EVALUATION_STARTED_TITLE, votes=votes),
          body=stored(messages.EVALUATION_STARTED_BODY, size=len(drawn), title=proposal.title, due=due))
    for evaluator in Evaluator.objects.filter(pk__in=drawn).select_related("user"):
        _tell(evaluator.user, kind="evaluation_drawn", proposal_id=proposal.pk, title=stored(messages.DRAWN_TITLE),
              body=stored(messages.DRAWN_BODY, title=proposal.title, due=due, number=evaluator.pk))
    if drawn:
        transaction.on_commit(lambda: _schedule_citizen_close(evaluation))
    return evaluation


def _schedule_citizen_close(evaluation: Evaluation) -> None:
    """With a backend that can defer (the database worker), close the citizen step when its time is up."""
    from .tasks import evaluations_close_due_task

    if evaluations_close_due_task.get_backend().supports_defer:
        evaluations_close_due_task.using(run_after=evaluation.citizen_due_at).enqueue()


def _evaluation_for(proposal_id: int, *, lock: bool = True) -> Evaluation:
    evaluations = Evaluation.objects.select_related("proposal", "proposal__proposer")
    if lock:
        evaluations = evaluations.select_for_update(of=("self",))
    evaluation = evaluations.filter(proposal_id=proposal_id).first()
    if evaluation is None:
        raise ValidationError({"evaluation": gettext("This proposal is not in evaluation.")})
    return evaluation


def _citizen_step_close(evaluation: Evaluation, *, now) -> None:
    evaluation.citizen_done_at = now
    evaluation.save(update_fields=["citizen_done_at"])
    scored = [s for s in evaluation.seats.all() if s.scored_at]
    _tell(evaluation.proposal.proposer, kind="proposal_evaluation", proposal_id=evaluation.proposal_id,
          title=stored(messages.CITIZENS_DONE_TITLE),
          body=stored(messages.CITIZENS_DONE_BODY, scored=len(scored), size=evaluation.group_size,
                      title=evaluation.proposal.title))


def evaluations_close_due() -> list[int]:
    """Close every citizen step whose time is up (the scheduled task, `manage.py close_rounds`, page reads).

    Idempotent: each evaluation is locked and looked at again, so a step closes once however many
    workers run this at the same moment; the proposer is told once.
    """
    closed = []
    due = Evaluation.objects.filter(citizen_done_at__isnull=True, citizen_due_at__lte=timezone.now())
    for proposal_id in due.values_list("proposal_id", flat=True):
        with transaction.atomic():
            evaluation = _evaluation_for(proposal_id)
            now = timezone.now()
            if evaluation.citizen_done_at is None and evaluation.citizen_due_at <= now:
                _citizen_step_close(evaluation, now=now)
                closed.append(proposal_id)
    return closed


def steps_close_due() -> dict:
    """Every timed citizen step that is due: rounds (support collection, votes) and citizen evaluations."""
    return {"rounds": rounds_close_due(), "evaluations": evaluations_close_due()}


@transaction.atomic
def seat_score(*, proposal: Proposal, user, need: int, feasibility: int, benefit: int, comment: str) -> EvaluationSeat:
    """A drawn volunteer's one structured score (1–5 for need, feasibility and benefit) and comment."""
    require_creator(user)
    evaluation = _evaluation_for(proposal.pk)
    seat = (EvaluationSeat.objects.select_for_update().filter(evaluation=evaluation, evaluator__user=user).first())
    if seat is None:
        raise PermissionDenied(gettext("Only the citizens drawn for this evaluation score it."))
    if seat.scored_at is not None:
        raise ValidationError({"score": ValidationError(gettext("You have already scored this proposal."),
                                                        code="duplicate")})
    now = timezone.now()
    if evaluation.citizen_done_at is not None or now > evaluation.citizen_due_at:
        raise ValidationError({"score": gettext("The citizen evaluation of this proposal is over.")})
    for name, value in (("need", need), ("feasibility", feasibility), ("benefit", benefit)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise field_error(name, gettext("Score from 1 to 5."))
    seat.need, seat.feasibility, seat.benefit = need, feasibility, benefit
    seat.comment = text_clean("comment", comment, max_length=2000, required=True)
    seat.scored_at = now
    seat.full_clean()
    seat.save()
    if not evaluation.seats.filter(scored_at__isnull=True).exists():
        _citizen_step_close(evaluation, now=now)
    return seat


@transaction.atomic
def committee_review_add(*, proposal: Proposal, actor, score: int, comment: str) -> CommitteeReview:
    """A committee member's score and comment (the API view lets only city staff call it)."""
    evaluation = _evaluation_for(proposal.pk)
    if evaluation.decided_at is not None:
        raise ValidationError({"score": gettext("This proposal has been decided.")})
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": gettext("Score from 1 to 5.")})
    review = CommitteeReview(evaluation=evaluation, reviewer=actor, score=score,
                             comment=text_clean("comment", comment, max_length=2000, required=True))
    try:
        with transaction.atomic():
            review.full_clean(validate_constraints=False)
            review.save()
    except IntegrityError:
        raise ValidationError({"score": ValidationError(gettext("You have already reviewed this proposal."),
                                                        code="duplicate")})
    return review


@transaction.atomic
def evaluation_decide(*, proposal: Proposal, actor, outcome: str, feedback: str,
                      merged_into_id: int | None = None, link: str = "") -> Proposal:
    """The published outcome with the officials' feedback: accepted, merged or declined (with a reason).

    The citizen step must be over (all scored, or its time passed) and the committee must have
    reviewed. `link` is where the outcome leads (the project an accepted proposal became or joined).
    `proposal` comes from `proposal_access(..., lock=True)`; the view lets only city staff call it.
    """
    evaluation = _evaluation_for(proposal.pk)
    if proposal.state != ProposalState.EVALUATION or evaluation.decided_at is not None:
        raise ValidationError({"outcome": gettext("This proposal has been decided.")})
    now = timezone.now()
    if evaluation.citizen_done_at is None:
        if now <= evaluation.citizen_due_at:
            raise ValidationError({"outcome": gettext("Wait for the citizen group: their time ends on %(due)s.")
                                   % {"due": f"{timezone.localtime(evaluation.citizen_due_at):%Y-%m-%d}"}})
        _citizen_step_close(evaluation, now=now)
    if not evaluation.committee_reviews.exists():
        raise ValidationError({"outcome": gettext("The committee has not reviewed this proposal yet.")})
    if outcome not in ("accepted", "merged", "declined"):
        raise ValidationError({"outcome": gettext("Choose accepted, merged or declined.")})
    feedback = text_clean("feedback", feedback, max_length=4000, required=True)
    merged_into = None
    if outcome == "merged":
        merged_into = Proposal.objects.filter(pk=merged_into_id).exclude(pk=proposal.pk).first() if merged_into_id else None
        if merged_into is None:
            raise ValidationError({"merged_into": gettext("Name another existing proposal to merge into.")})
    evaluation.outcome, evaluation.feedback, evaluation.decided_at, evaluation.decided_by = outcome, feedback, now, actor
    evaluation.full_clean()
    evaluation.save()
    proposal.state = {"accepted": ProposalState.ACCEPTED, "merged": ProposalState.MERGED,
                      "declined": ProposalState.DECLINED}[outcome]
    proposal.merged_into = merged_into
    proposal.answer, proposal.answered_at, proposal.answered_by = feedback, now, actor
    proposal.full_clean()
    proposal.save(update_fields=["state", "answer", "merged_into", "answered_at", "answered_by"])  # only what the answer sets
    audit_record(actor=actor, action="evaluation.decide", target=proposal, before={"state": ProposalState.EVALUATION},
                 after={"outcome": outcome, "feedback": feedback, "merged_into": merged_into_id, "link": link})
    _tell(proposal.proposer, kind="proposal_decided", proposal_id=proposal.pk,
          title=stored(messages.DECIDED_TITLES[outcome]),
          body=stored(messages.DECIDED_BODY, title=proposal.title, feedback=feedback, link=link))
    return proposal
