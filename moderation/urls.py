from django.urls import path

from . import api

urlpatterns = [
    path("flags/", api.FlagCreateApi.as_view(), name="flag-create"),
    path("moderation/flags/", api.FlagQueueApi.as_view(), name="flag-queue"),
    path("moderation/flags/<str:target_type>/<int:target_id>/", api.FlagDecideApi.as_view(), name="flag-decide"),
    path("moderation/bans/", api.BanApi.as_view(), name="user-ban"),
]
