from django.contrib.auth import authenticate
from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .serializers import MeSerializer, SignupInputSerializer, TokenInputSerializer, TokenOutputSerializer
from .services import user_delete_account, user_signup
from django.utils.translation import gettext_lazy as _


class SignupApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=SignupInputSerializer, responses={201: MeSerializer})
    def post(self, request):
        data = SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_signup(**data.validated_data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({**MeSerializer(user).data, "token": token.key}, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    """Exchange username and password for an API token (header `Authorization: Token …`)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
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
