from django.contrib.auth import get_user_model
from rest_framework import serializers
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class SignupInputSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150,
                                      error_messages={"invalid": _("Use 3-150 letters, digits and @/./+/-/_.")})
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, max_length=256, style={"input_type": "password"})

    # Whether the username is taken is not checked here: accounts.services.user_signup answers the same either way.


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VerifyInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class EmailInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user. The e-mail changes only through POST /api/auth/email/ and the link it sends."""

    districts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    is_official = serializers.BooleanField(read_only=True)

    def validate_display_name(self, value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            self.instance.display_name_check(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["display_name"])
        return value

    class Meta:
        model = User
        fields = ("id", "username", "email", "email_verified", "display_name", "role", "is_official", "districts",
                  "preferred_language")
        read_only_fields = ("id", "username", "email", "role", "districts")
