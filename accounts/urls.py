from django.urls import path

from . import api

urlpatterns = [
    path("auth/signup/", api.SignupApi.as_view(), name="auth-signup"),
    path("auth/token/", api.TokenApi.as_view(), name="auth-token"),
    path("auth/me/", api.MeApi.as_view(), name="auth-me"),
    path("auth/verify/", api.VerifyEmailApi.as_view(), name="auth-verify"),
    path("auth/email/", api.EmailChangeApi.as_view(), name="auth-email"),
]
