"""Input and output shapes. Output never names a citizen: proposals, votes and feedback show counts."""
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from geoplatform.geojson import geometry_geojson
from geoplatform.ids import MAX_ID
from maps.serializers import PointInputField

from .models import Campaign, ContributionMode, AreaScope, Proposal, ProposalKind, ProposalComment, ProposalState, Round


_MESSAGES = {
    "required": gettext_lazy("This field is required."),
    "blank": gettext_lazy("This cannot be empty."),
    "null": gettext_lazy("This cannot be empty."),
    "invalid": gettext_lazy("This value is not valid."),
    "invalid_choice": gettext_lazy("\"{input}\" is not one of the choices."),
    "min_value": gettext_lazy("Give at least {min_value}."),
    "max_value": gettext_lazy("Give at most {max_value}."),
    "max_string_length": gettext_lazy("The number is too large."),
    "not_a_list": gettext_lazy("Give a list."),
    "empty": gettext_lazy("The list cannot be empty."),
    "overflow": gettext_lazy("The date is out of range."),
}
NULL_CHARACTERS = gettext_lazy("Text may not contain NUL characters.")
_TYPED_MESSAGES = {
    serializers.CharField: {"max_length": gettext_lazy("Keep it under {max_length} characters.")},
    serializers.ListField: {"max_length": gettext_lazy("Give at most {max_length} items.")},
    serializers.IntegerField: {"invalid": gettext_lazy("Give a whole number.")},
    serializers.DateTimeField: {"invalid": gettext_lazy("Give a date and time such as 2026-11-27T09:00:00+09:00."),
                                "date": gettext_lazy("Give a date and time, not only a date.")},
    serializers.FileField: {"invalid": gettext_lazy("Send the file as a multipart upload."),
                            "empty": gettext_lazy("The file is empty.")},
}


def _reader_validator(validator, messages):
    """Length and range validators carry their message from the field's construction: rebuild them."""
    for cls, key in ((MaxLengthValidator, "max_length"), (MinValueValidator, "min_value"),
                     (MaxValueValidator, "max_value")):
        if type(validator) is cls and key in messages:
            return cls(validator.limit_value, message=messages[key].format(**{key: validator.limit_value}))
    if type(validator) is ProhibitNullCharactersValidator:
        return ProhibitNullCharactersValidator(message=NULL_CHARACTERS)
    return validator


class ReaderInput(serializers.Serializer):
    """Input serializers whose field errors read in plain words, in the reader's language, like the services'."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for inner in (field, getattr(field, "child", None)):
                if inner is None:
                    continue
                explicit = (getattr(inner, "_kwargs", {}) or {}).get("error_messages", {})
                messages = {key: value for key, value in _MESSAGES.items() if key in inner.error_messages}
                for cls, typed in _TYPED_MESSAGES.items():
                    if isinstance(inner, cls):
                        messages.update({k: v for k, v in typed.items() if k in inner.error_messages})
                messages = {k: v for k, v in messages.items() if k not in explicit}
                inner.error_messages.update(messages)
                inner.validators = [_reader_validator(v, inner.error_messages) for v in inner.validators]


class DistrictRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()


# --- proposals ---------------------------------------------------------------------------------

class ProposalInputSerializer(ReaderInput):
    title = serializers.CharField(max_length=200)
    why = serializers.CharField(max_length=4000)
    area_scope = serializers.ChoiceField(choices=AreaScope.choices, default=AreaScope.SEOUL, error_messages={
        "invalid_choice": gettext_lazy("Choose 'seoul' or 'districts'.")})
    districts = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list,
                                      max_length=25)
    categories = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                       max_length=12)
    round = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=ProposalKind.choices, default=ProposalKind.MAP_TOPIC)
    place = PointInputField(required=False, allow_null=True, default=None)
    budget_estimate = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10**15,
                                               default=None)


class ProposalListQuerySerializer(ReaderInput):
    round = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    state = serializers.ChoiceField(choices=ProposalState.choices, required=False)
    district = serializers.RegexField(r"^\d{5}$", required=False, error_messages={
        "invalid": gettext_lazy("A district is a 5-digit code such as 11290.")})
    ordering = serializers.ChoiceField(choices=[("votes", "votes"), ("new", "new")], required=False, default="votes")


class ProjectLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title_ko = serializers.CharField()
    title_en = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    url = serializers.CharField()


class ProposalSerializer(serializers.ModelSerializer):
    districts = DistrictRefSerializer(many=True, read_only=True)
    round = serializers.IntegerField(source="round_id", read_only=True)
    round_status = serializers.SerializerMethodField()
    votes = serializers.IntegerField(source="vote_count", read_only=True)
    comments = serializers.IntegerField(source="comment_count", read_only=True)
    my_vote = serializers.BooleanField(read_only=True)
    is_mine = serializers.SerializerMethodField()
    merged_into = serializers.IntegerField(source="merged_into_id", read_only=True, allow_null=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    place = serializers.SerializerMethodField()
    projects = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = ("id", "title", "kind", "why", "why_html", "area_scope", "districts", "categories", "place",
                  "budget_estimate", "round", "round_status", "state", "answer", "answered_at", "merged_into", "votes",
                  "comments", "my_vote", "is_mine", "campaign", "projects", "created_at")

    @extend_schema_field({"type": "object", "nullable": True})
    def get_place(self, obj):
        return geometry_geojson(obj.place)

    @extend_schema_field(ProjectLinkSerializer(many=True))
    def get_projects(self, obj):
        """The city projects that cite this proposal (an accepted proposal became or joined one)."""
        return [{"id": p.pk, "title_ko": p.title_ko, "title_en": p.title_en, "status": p.status,
                 "progress": p.progress, "url": f"/projects/{p.pk}/"} for p in obj.projects.all()]

    def get_round_status(self, obj) -> str | None:
        return obj.round.status if obj.round_id else None

    def get_is_mine(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_authenticated and request.user.pk == obj.proposer_id)



class CommentInputSerializer(ReaderInput):
    text = serializers.CharField(max_length=2000)


class HideInputSerializer(ReaderInput):
    hidden = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CommentSerializer(serializers.ModelSerializer):
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = ProposalComment
        fields = ("id", "text", "is_mine", "created_at")

    def get_is_mine(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_authenticated and request.user.pk == obj.author_id)


class AnswerInputSerializer(ReaderInput):
    state = serializers.ChoiceField(choices=[ProposalState.SELECTED, ProposalState.MERGED, ProposalState.DECLINED],
                                    error_messages={"invalid_choice": gettext_lazy("Answer with 'selected', 'merged' or 'declined'.")})
    answer = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    merged_into = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)


class VoteResultSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    votes = serializers.IntegerField()
    my_vote = serializers.BooleanField()


# --- rounds -----------------------------------------------------------------------------------------

class _NoUnknownKeys(serializers.Serializer):
    """A key this serializer does not know is a mistake to report, not something to drop silently."""

    unknown_message = ""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(str(self.unknown_message) % {"keys": ", ".join(map(str, unknown))})
        return super().to_internal_value(data)


class EvaluationRuleSerializer(_NoUnknownKeys):
    unknown_message = gettext_lazy("A rule sets threshold, group_size or days, not %(keys)s.")

    threshold = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False,
                                         help_text="Supporters a proposal needs to go to evaluation")
    group_size = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                          help_text="Volunteers drawn at random for the citizen group")
    days = serializers.IntegerField(min_value=1, max_value=365, required=False,
                                    help_text="Days for the citizen step (and again for the committee)")


class EvaluationRulesSerializer(_NoUnknownKeys):
    """A round's own rules per kind of proposal; what is left out comes from the settings."""

    unknown_message = gettext_lazy("Rules are for policy or local_project proposals, not %(keys)s.")

    policy = EvaluationRuleSerializer(required=False)
    local_project = EvaluationRuleSerializer(required=False)


class RoundInputSerializer(ReaderInput):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    budget_cap = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10**15, default=None)
    evaluation_rules = EvaluationRulesSerializer(required=False, default=dict)


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    votes = serializers.IntegerField()
    proposal = serializers.IntegerField(source="proposal_id")
    title = serializers.SerializerMethodField()
    state = serializers.CharField(source="proposal.state")
    funded = serializers.BooleanField()
    budget_estimate = serializers.IntegerField(source="proposal.budget_estimate", allow_null=True)

    def get_title(self, obj) -> str:
        """A proposal hidden by moderation keeps its rank and votes but not its words."""
        return "" if obj.proposal.is_hidden else obj.proposal.title


class RoundSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    proposals = serializers.IntegerField(source="proposal_count", read_only=True)

    class Meta:
        model = Round
        fields = ("id", "title", "description", "starts_at", "ends_at", "closed_at", "status", "proposals",
                  "budget_cap", "evaluation_rules")


class RoundDetailSerializer(RoundSerializer):
    ranking = serializers.SerializerMethodField()

    class Meta(RoundSerializer.Meta):
        fields = RoundSerializer.Meta.fields + ("ranking",)

    def get_ranking(self, obj) -> list[dict] | None:
        """The frozen ranking once the round has closed; null while it runs."""
        if not obj.closed_at:
            return None
        return RankingEntrySerializer(obj.ranking.all(), many=True).data


# --- campaigns --------------------------------------------------------------------------------------

class CampaignInputSerializer(ReaderInput):
    proposal = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    template = serializers.SlugField(max_length=60, help_text="A map template's slug (safety, neighbourhood, …)")
    goal = serializers.CharField(max_length=2000)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    target_features = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                               max_value=1_000_000, help_text="Features that reach the goal")
    contribution_mode = serializers.ChoiceField(choices=ContributionMode.choices, default=ContributionMode.OPEN)
    target_districts = serializers.ListField(child=serializers.CharField(max_length=5), required=False,
                                             allow_null=True, default=None, max_length=25,
                                             help_text="District codes; by default the proposal's districts")


class CoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    features = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    features = serializers.IntegerField(help_text="Published features on the campaign's map")
    goal = serializers.IntegerField(allow_null=True, help_text="The campaign's target number of features, if any")
    percent = serializers.IntegerField(allow_null=True, help_text="features / goal, in percent (capped at 100)")
    contributors = serializers.IntegerField(help_text="Distinct people who contributed them")
    districts_covered = serializers.IntegerField()
    districts_total = serializers.IntegerField()
    coverage = CoverageSerializer(many=True, help_text="Features per target district (all 25 for Seoul-wide)")


class CampaignSerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="proposal_id", read_only=True)
    map = serializers.IntegerField(source="map_id", read_only=True, allow_null=True)
    map_url = serializers.SerializerMethodField()
    tilejson = serializers.SerializerMethodField()
    target_districts = DistrictRefSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ("id", "title", "goal", "target_features", "proposal", "map", "map_url", "tilejson", "contribution_mode",
                  "target_districts", "progress", "created_at")

    def get_map_url(self, obj) -> str | None:
        return f"/maps/{obj.map_id}/" if obj.map_id else None

    def get_tilejson(self, obj) -> str | None:
        from layers.links import tilejson_url

        return tilejson_url(self.context.get("request"), obj.map.layer_name) if obj.map_id else None

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj) -> dict:
        from .selectors import campaign_progress

        return campaign_progress(campaign=obj)


# --- open evaluation --------------------------------------------------------------------------------

class ScoreInputSerializer(serializers.Serializer):
    need = serializers.IntegerField(min_value=1, max_value=5)
    feasibility = serializers.IntegerField(min_value=1, max_value=5)
    benefit = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000)


class ReviewInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000)


class SeatSerializer(serializers.Serializer):
    """A drawn volunteer by number only: scores and comments are public, names are not."""

    evaluator = serializers.IntegerField(source="evaluator_id")
    need = serializers.IntegerField(allow_null=True)
    feasibility = serializers.IntegerField(allow_null=True)
    benefit = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    scored_at = serializers.DateTimeField(allow_null=True)


class CommitteeReviewSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class EvaluationSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    started_at = serializers.DateTimeField()
    votes_at_start = serializers.IntegerField()
    seed = serializers.CharField(help_text="Repeat the draw: random.Random(seed).sample(sorted(pool), group_size).")
    pool = serializers.ListField(child=serializers.IntegerField())
    drawn = serializers.ListField(child=serializers.IntegerField())
    group_size = serializers.IntegerField()
    citizen_due_at = serializers.DateTimeField()
    citizen_done_at = serializers.DateTimeField(allow_null=True)
    committee_due_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    feedback = serializers.CharField()
    seats = SeatSerializer(many=True)
    committee_reviews = CommitteeReviewSerializer(many=True)
    mean_score = serializers.FloatField(allow_null=True)
    steps = serializers.ListField(child=serializers.DictField())


class EvaluatorStatusSerializer(serializers.Serializer):
    volunteer = serializers.BooleanField()
    number = serializers.IntegerField(allow_null=True)
