from rest_framework import serializers

from .models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditLog
        fields = ("id", "actor", "action", "target_type", "target_id", "before", "after", "created_at")
        read_only_fields = fields

    def get_actor(self, entry) -> dict | None:
        if entry.actor_id is None:
            return None
        actor = entry.actor
        return {"id": entry.actor_id, "username": actor.username if actor else None}
