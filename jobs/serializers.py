from rest_framework import serializers

from .models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = ("id", "kind", "state", "progress", "total", "percent", "message", "result", "created_at", "updated_at", "finished_at")
