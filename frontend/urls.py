from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("maps/new/", views.map_new, name="map-new"),
    path("maps/<int:map_id>/", views.map_detail, name="map-page"),
    path("maps/<int:map_id>/edit/", views.map_edit, name="map-edit-page"),
    path("layers/<str:name>/", views.layer_page, name="layer-page"),
    path("frontend/district-labels.json", views.district_labels, name="district-labels"),
    path("frontend/orientation.json", views.orientation, name="orientation"),
    path("report/", views.report_new, name="report-new"),
    path("reports/<int:report_id>/", views.report_detail, name="report-page"),
    path("review/", views.review, name="review"),
    path("moderation/", views.moderation, name="moderation"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/", views.account, name="account"),
    path("accounts/email/", views.account_email, name="account-email"),
    path("accounts/verify/<str:token>/", views.email_verify_page, name="email-verify"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
