"""Topic proposals, voting rounds and campaigns.

Citizens propose what the city should map next and vote in rounds that city
staff open; when a round ends its ranking is frozen (stored, not recomputed) and
every proposal gets a public answer. A selected proposal becomes a campaign: a
crowdsourced map in the maps app.
(Platform feedback and the roadmap live in `feedback/`.)
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_city_staff

from .managers import CampaignQuerySet, ProposalQuerySet, RoundQuerySet


class Round(models.Model):
    """A voting period opened by city staff. Votes count only between `starts_at` and `ends_at`."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When the ranking was frozen."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    budget_cap = models.BigIntegerField(
        null=True, blank=True,
        help_text=_("Participatory budget: the total cost (won) the winning set may not exceed. Empty: no cap."))
    evaluation_rules = models.JSONField(
        default=dict, blank=True,
        help_text=_("This round's own support threshold, evaluation group size and days, per proposal kind "
                    "(e.g. {\"policy\": {\"threshold\": 100}}); what is not given comes from the settings."))

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="campaigns_round_ends_after_start"),
        ]
        indexes = [models.Index(fields=["closed_at", "ends_at"], name="campaigns_round_due_idx")]

    def __str__(self):
        return self.title

    @property
    def status(self) -> str:
        """`scheduled`, `open` (votes accepted), `ended` (waiting to be closed) or `closed` (ranking frozen)."""
        if self.closed_at:
            return "closed"
        now = timezone.now()
        if now < self.starts_at:
            return "scheduled"
        return "open" if now < self.ends_at else "ended"

    def accepts_votes(self) -> bool:
        return self.status == "open"

    def accepts_proposals(self) -> bool:
        return self.status in ("scheduled", "open")

    @staticmethod
    def can_manage(user) -> bool:
        return is_city_staff(user)


class ProposalState(models.TextChoices):
    OPEN = "open", _("Open")
    EVALUATION = "evaluation", _("In evaluation")
    ACCEPTED = "accepted", _("Accepted")
    SELECTED = "selected", _("Selected")
    MERGED = "merged", _("Merged with another proposal")
    DECLINED = "declined", _("Declined")


class ProposalKind(models.TextChoices):
    MAP_TOPIC = "map_topic", _("A topic for a crowdsourced map")
    POLICY = "policy", _("A policy")
    LOCAL_PROJECT = "local_project", _("A local project")


class AreaScope(models.TextChoices):
    SEOUL = "seoul", _("All of Seoul")
    DISTRICTS = "districts", _("Chosen districts")


class Proposal(models.Model):
    """A topic a citizen proposes for a crowdsourced map."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ProposalKind.choices, default=ProposalKind.MAP_TOPIC,
                            help_text=_("Policies and local projects are evaluated in the open once they "
                                        "reach the support threshold; map topics are ranked in rounds."))
    place = models.PointField(srid=4326, null=True, blank=True, spatial_index=False,
                              help_text=_("An optional place on the map."))
    budget_estimate = models.BigIntegerField(null=True, blank=True,
                                             help_text=_("Estimated cost in won (participatory-budget rounds)."))
    why = models.TextField(max_length=4000, help_text=_("Why it matters (Markdown source, tags stripped)."))
    why_html = models.TextField(blank=True, help_text=_("`why` rendered to safe HTML."))
    area_scope = models.CharField(max_length=16, choices=AreaScope.choices, default=AreaScope.SEOUL)
    districts = models.ManyToManyField("districts.District", blank=True, related_name="proposals")
    area = models.MultiPolygonField(srid=4326, null=True, blank=True, spatial_index=False,
                                    help_text=_("Union of the chosen districts; empty for all of Seoul."))
    categories = ArrayField(models.CharField(max_length=60), size=12, default=list, blank=True)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    state = models.CharField(max_length=16, choices=ProposalState.choices, default=ProposalState.OPEN)
    answer = models.TextField(blank=True, max_length=4000, help_text=_("The city's public answer and reason."))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    is_hidden = models.BooleanField(default=False, help_text=_("Hidden by moderation: out of every public list and layer."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "round"], name="campaigns_proposal_state_idx"),
            models.Index(fields=["proposer", "created_at"], name="campaigns_proposal_author_idx"),
            GistIndex(fields=["area"], name="campaigns_proposal_area_gist"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="merged") | models.Q(merged_into__isnull=False),
                name="campaigns_proposal_merged_has_target",
            ),
        ]

    def __str__(self):
        return self.title

    def can_answer(self, user) -> bool:
        return is_city_staff(user)

    def can_view(self, user) -> bool:
        return not self.is_hidden or is_city_staff(user)

    @staticmethod
    def can_moderate(user) -> bool:
        return is_city_staff(user)


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    is_hidden = models.BooleanField(default=False, help_text=_("Hidden by moderation."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="campaigns_comment_prop_idx")]

    def can_view(self, user) -> bool:
        return not self.is_hidden or is_city_staff(user)

    def can_delete(self, user) -> bool:
        return bool(user and user.is_authenticated and (user.pk == self.author_id or user.is_city_staff))


class Vote(models.Model):
    """One citizen's support for one proposal. The database, not the view, keeps it to one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="campaigns_vote_one_per_citizen")]


class RankingEntry(models.Model):
    """A round's frozen result: written once when the round closes, never recomputed."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ranking")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    votes = models.PositiveIntegerField()
    funded = models.BooleanField(default=False, help_text=_("In the winning set of a round with a budget cap."))

    class Meta:
        ordering = ["rank", "proposal_id"]
        constraints = [models.UniqueConstraint(fields=["round", "proposal"], name="campaigns_ranking_once")]


class ContributionMode(models.TextChoices):
    OPEN = "open", _("Open: every signed-in citizen adds directly")
    MODERATED = "moderated", _("Moderated: suggestions are approved first")


class Campaign(models.Model):
    """A selected proposal turned into a crowdsourced map with a goal and live progress."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="campaign")
    # The map's owner may still delete it; the campaign (and its history) stays, without a map.
    map = models.OneToOneField("maps.Map", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign")
    title = models.CharField(max_length=200)
    goal = models.TextField(max_length=2000)
    target_features = models.PositiveIntegerField(null=True, blank=True,
                                                  help_text=_("How many features would reach the goal, if it is countable."))
    contribution_mode = models.CharField(max_length=16, choices=ContributionMode.choices, default=ContributionMode.OPEN)
    target_districts = models.ManyToManyField("districts.District", blank=True, related_name="campaigns")
    area = models.MultiPolygonField(srid=4326, null=True, blank=True, spatial_index=False,
                                    help_text=_("Union of the target districts; empty for all of Seoul."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [GistIndex(fields=["area"], name="campaigns_campaign_area_gist")]

    def __str__(self):
        return self.title

    @staticmethod
    def can_create(user) -> bool:
        return is_city_staff(user)


class Evaluator(models.Model):
    """A citizen who volunteered for citizen evaluation groups. Known to the public only by this number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluator")
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class Evaluation(models.Model):
    """The open evaluation of a proposal that reached the support threshold.

    The citizen group is drawn at random from the active volunteers: `pool` is the sorted list of
    volunteer numbers at the draw and `seed` the random seed, so anyone can repeat the draw
    (`random.Random(seed).sample(pool, group_size)`) and check `drawn`.
    """

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="evaluation")
    started_at = models.DateTimeField()
    votes_at_start = models.PositiveIntegerField()
    seed = models.CharField(max_length=64)
    pool = ArrayField(models.BigIntegerField(), default=list, blank=True)
    drawn = ArrayField(models.BigIntegerField(), default=list, blank=True)
    group_size = models.PositiveSmallIntegerField()
    citizen_due_at = models.DateTimeField()
    citizen_done_at = models.DateTimeField(null=True, blank=True)
    committee_due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True, choices=[
        ("accepted", _("Accepted")), ("merged", _("Merged")), ("declined", _("Declined"))])
    feedback = models.TextField(max_length=4000, blank=True, help_text=_("The officials' public feedback."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]


class EvaluationSeat(models.Model):
    """One drawn volunteer's single structured score (1–5 on three criteria) and comment."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="seats")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.PROTECT, related_name="seats")
    need = models.PositiveSmallIntegerField(null=True, blank=True)
    feasibility = models.PositiveSmallIntegerField(null=True, blank=True)
    benefit = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(max_length=2000, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evaluator_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "evaluator"], name="campaigns_seat_once"),
            models.CheckConstraint(condition=models.Q(scored_at__isnull=True) | (
                models.Q(need__gte=1, need__lte=5) & models.Q(feasibility__gte=1, feasibility__lte=5)
                & models.Q(benefit__gte=1, benefit__lte=5)), name="campaigns_seat_scores_1_to_5"),
        ]


class CommitteeReview(models.Model):
    """A staff committee member's score (1–5) and comment on a proposal in evaluation."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="committee_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "reviewer"], name="campaigns_committee_review_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="campaigns_committee_score"),
        ]
