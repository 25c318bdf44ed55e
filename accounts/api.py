from django.contrib.auth import authenticate
from django.contrib.auth import logout
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from geoplatform.inputs import validated

from .lockout import lockout_message, lockout_wait
from .serializers import (DetailSerializer, EmailInputSerializer, MeSerializer, SignupInputSerializer, TokenInputSerializer,
                          TokenOutputSerializer, VerifyInputSerializer)
from .services import email_change_request, email_verify, user_delete_account, user_signup


def _check_email_message() -> str:
    return _("Check your e-mail: we sent a link to finish. Nothing happens until you open it.")


class SignupApi(APIView):
    """Register: always 202 "check your e-mail" (whether the username is taken is never said here)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=SignupInputSerializer, responses={202: DetailSerializer})
    def post(self, request):
        user_signup(**validated(SignupInputSerializer, request.data), request=request)
        return Response({"detail": _check_email_message()}, status=status.HTTP_202_ACCEPTED)


class VerifyEmailApi(APIView):
    """Follow an e-mail verification link's token: the address becomes the account's, verified."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=VerifyInputSerializer, responses={200: MeSerializer})
    def post(self, request):
        user = email_verify(token=validated(VerifyInputSerializer, request.data)["token"])
        return Response(MeSerializer(user).data)


class EmailChangeApi(APIView):
    """Ask to change the signed-in user's e-mail: a link goes to the new address, which counts once followed."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=EmailInputSerializer, responses={202: DetailSerializer})
    def post(self, request):
        email_change_request(user=request.user, email=validated(EmailInputSerializer, request.data)["email"],
                             request=request)
        return Response({"detail": _check_email_message()}, status=status.HTTP_202_ACCEPTED)


class TokenApi(APIView):
    """Exchange username and password for an API token (header `Authorization: Token …`)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request):
        # The plain HttpRequest: django-axes marks a lock-out on it (per account, shared through the cache).
        credentials = validated(TokenInputSerializer, request.data)
        user = authenticate(request._request, **credentials)
        if getattr(request._request, "axes_locked_out", False):
            wait = lockout_wait(credentials.get("username"))
            raise Throttled(wait=wait.total_seconds(), detail=lockout_message(wait))
        if user is None:
            raise ValidationError({"detail": _("Wrong username or password.")})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(generics.RetrieveUpdateDestroyAPIView):
    """The signed-in user. DELETE removes the account and anonymises its contributions."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        return self.request.user

    def perform_destroy(self, instance):
        user_delete_account(user=instance)
        if getattr(self.request, "session", None) is not None:
            logout(self.request._request)
