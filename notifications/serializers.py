from rest_framework import serializers

from geoplatform.ids import MAX_ID

from .models import Notification
from .services import notification_text
from django.utils.translation import gettext_lazy as _


class NotificationSerializer(serializers.ModelSerializer):
    """Title and body in the reader's language (stored as messages, rendered now)."""

    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "report", "is_read", "created_at")
        read_only_fields = fields

    def get_title(self, notification) -> str:
        return notification_text(notification)[0]

    def get_body(self, notification) -> str:
        return notification_text(notification)[1]


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                max_length=500)
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("ids") and not attrs.get("all"):
            raise serializers.ValidationError(_("Give ids, or all: true."))
        return attrs
