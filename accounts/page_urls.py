"""Web pages of this app (mounted at the site root)."""
from django.urls import path

from . import views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/", views.account, name="account"),
    path("accounts/email/", views.account_email, name="account-email"),
    path("accounts/verify/<str:token>/", views.email_verify_page, name="email-verify"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
