"""Input checks and output shapes of flags and bans."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from geoplatform.ids import MAX_ID

from .flaggable import flaggables
from .models import Flag


class FlagCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=())  # the registered flaggables, filled in per instance
    target_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.ChoiceField(choices=Flag.Reason.values)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = flaggables.types()


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ("id", "target_type", "target_id", "reason", "comment", "state", "created_at")
        read_only_fields = fields


class FlagGroupSerializer(serializers.Serializer):
    """One flagged target of the staff's queue: how many people flagged it and for what, whether it still exists
    and is hidden, what it is called, and its flags."""

    target_type = serializers.CharField()
    target_id = serializers.IntegerField()
    flaggers = serializers.IntegerField(help_text="distinct people who flagged it")
    spam = serializers.IntegerField()
    abuse = serializers.IntegerField()
    personal_data = serializers.IntegerField()
    wrong = serializers.IntegerField()
    exists = serializers.SerializerMethodField()
    is_hidden = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    flags = FlagSerializer(many=True)

    def get_exists(self, group) -> bool:
        return group["target"] is not None

    @extend_schema_field(serializers.BooleanField(allow_null=True, help_text="null when the content is gone"))
    def get_is_hidden(self, group):
        return getattr(group["target"], "is_hidden", None)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="null when the content is gone"))
    def get_label(self, group):
        return str(group["target"]) if group["target"] is not None else None


class FlagDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["restore", "remove"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class BanSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    banned = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, allow_blank=True)
