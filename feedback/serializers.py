"""Input and output shapes. Output never names who sent feedback or said "me too"."""
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from campaigns.serializers import ReaderInput

from .models import Feedback, FeedbackKind, FeedbackState


class FeedbackInputSerializer(ReaderInput):
    kind = serializers.ChoiceField(choices=FeedbackKind.choices, error_messages={"invalid_choice": gettext_lazy("Choose 'bug', 'wish' or 'confusing'.")})
    text = serializers.CharField(max_length=4000)
    page_url = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    screenshot = serializers.FileField(required=False, allow_null=True)


class FeedbackListQuerySerializer(ReaderInput):
    state = serializers.ChoiceField(choices=FeedbackState.choices, required=False)
    kind = serializers.ChoiceField(choices=FeedbackKind.choices, required=False)


class FeedbackSerializer(serializers.ModelSerializer):
    people = serializers.IntegerField(read_only=True)
    i_asked = serializers.BooleanField(read_only=True)
    is_mine = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    screenshot = serializers.SerializerMethodField()
    screenshot_thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ("id", "kind", "text", "state", "answer", "answered_at", "people", "i_asked", "is_mine", "page_url",
                  "screenshot", "screenshot_thumbnail", "created_at")

    def _private_ok(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and obj.can_see_private_parts(request.user))

    def _file_url(self, obj, file) -> str | None:
        if not file or not self._private_ok(obj):
            return None
        return self.context["request"].build_absolute_uri(file.url)

    def get_is_mine(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_authenticated and request.user.pk == obj.author_id)

    def get_page_url(self, obj) -> str | None:
        return obj.page_url if self._private_ok(obj) else None

    def get_screenshot(self, obj) -> str | None:
        return self._file_url(obj, obj.screenshot)

    def get_screenshot_thumbnail(self, obj) -> str | None:
        return self._file_url(obj, obj.screenshot_thumbnail)


class TriageInputSerializer(ReaderInput):
    state = serializers.ChoiceField(choices=[FeedbackState.PLANNED, FeedbackState.DONE, FeedbackState.DECLINED],
                                    error_messages={"invalid_choice": gettext_lazy("Choose 'planned', 'done' or 'declined'.")})
    answer = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RoadmapItemSerializer(serializers.ModelSerializer):
    people = serializers.IntegerField(read_only=True)

    class Meta:
        model = Feedback
        fields = ("id", "kind", "text", "state", "answer", "answered_at", "people")


class RoadmapSerializer(serializers.Serializer):
    planned = RoadmapItemSerializer(many=True)
    done = RoadmapItemSerializer(many=True)
    people = serializers.IntegerField(help_text="Distinct people behind the planned and done items.")
