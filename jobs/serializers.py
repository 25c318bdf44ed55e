from django.utils.translation import gettext
from rest_framework import serializers

from .models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ("id", "kind", "state", "progress", "total", "percent", "message", "result", "created_at", "updated_at", "finished_at")

    def get_message(self, job) -> str:
        """Stored as an English msgid (`gettext_noop`), read in the reader's language."""
        return gettext(job.message) if job.message else ""
