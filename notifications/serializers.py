from rest_framework import serializers

from geoplatform.ids import MAX_ID

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "report", "is_read", "created_at")
        read_only_fields = fields


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                max_length=500)
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("ids") and not attrs.get("all"):
            raise serializers.ValidationError("Give ids, or all: true. / ids 또는 all: true를 주세요.")
        return attrs
