"""Input checks and output shapes of flags and bans."""
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


class FlagDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["restore", "remove"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class BanSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    banned = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, allow_blank=True)
