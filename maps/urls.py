from django.urls import path

from . import api

F = "maps/<int:pk>/features/<int:fid>/"

urlpatterns = [
    path("maps/", api.MapListApi.as_view(), name="map-list"),
    path("maps/<int:pk>/", api.MapDetailApi.as_view(), name="map-detail"),
    path("maps/<int:pk>/features/", api.FeatureListApi.as_view(), name="map-feature-list"),
    path("maps/<int:pk>/suggestions/", api.SuggestionListApi.as_view(), name="map-suggestion-list"),
    path("maps/<int:pk>/history/", api.MapHistoryApi.as_view(), name="map-history"),
    path("maps/<int:pk>/collaborators/", api.CollaboratorListApi.as_view(), name="map-collaborator-list"),
    path("maps/<int:pk>/collaborators/<int:user_id>/", api.CollaboratorDetailApi.as_view(),
         name="map-collaborator-detail"),
    path("maps/<int:pk>/secret-links/", api.SecretLinksApi.as_view(), name="map-secret-links"),
    path("maps/<int:pk>/secret-links/rotate/", api.SecretLinkRotateApi.as_view(), name="map-secret-links-rotate"),
    path("maps/<int:pk>/secret-links/revoke/", api.SecretLinkRevokeApi.as_view(), name="map-secret-links-revoke"),
    path("maps/<int:pk>/import/", api.MapImportApi.as_view(), name="map-import"),
    path("maps/<int:pk>/export.<str:fmt>", api.MapExportApi.as_view(), name="map-export"),
    path(F, api.FeatureDetailApi.as_view(), name="map-feature-detail"),
    path(F + "history/", api.FeatureHistoryApi.as_view(), name="map-feature-history"),
    path(F + "revert/", api.FeatureRevertApi.as_view(), name="map-feature-revert"),
    path(F + "review/", api.FeatureReviewApi.as_view(), name="map-feature-review"),
    path(F + "photos/", api.PhotoListApi.as_view(), name="map-feature-photo-list"),
    path(F + "photos/<int:photo_id>/", api.PhotoDetailApi.as_view(), name="map-feature-photo-detail"),
    path(F + "photos/<int:photo_id>/file", api.PhotoFileApi.as_view(), name="map-feature-photo-file"),
    path("templates/", api.TemplateListApi.as_view(), name="template-list"),
    path("templates/<int:pk>/", api.TemplateDetailApi.as_view(), name="template-detail"),
]
