"""Writes on accounts: sign-up, role grants, account deletion."""
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from districts.models import District

from .models import Role

User = get_user_model()


@transaction.atomic
def user_signup(*, username: str, email: str, password: str) -> "User":
    user = User(username=username, email=email, role=Role.CITIZEN)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def role_grant(*, user: "User", role: str, district_codes: list[str] | None = None) -> "User":
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})
    district_codes = district_codes or []
    districts = list(District.objects.filter(code__in=district_codes))
    unknown = set(district_codes) - {d.code for d in districts}
    if unknown:
        raise ValidationError({"district": f"Unknown MOIS district code(s): {', '.join(sorted(unknown))}."})
    if role == Role.DISTRICT_OFFICER and not districts and not user.districts.exists():
        raise ValidationError({"district": "A district officer needs at least one district (--district CODE)."})
    user.role = role
    user.is_staff = role in (Role.CITY_STAFF, Role.ADMIN)
    user.is_superuser = role == Role.ADMIN
    user.full_clean()
    user.save()
    if districts:
        user.districts.add(*districts)
    return user


@transaction.atomic
def user_delete_account(*, user: "User") -> None:
    """Remove a person but keep their contributions, anonymised.

    Contributions point at the user row; the row stays as a tombstone with no
    name, e-mail, password or token, so content remains but cannot be traced back.
    Apps hook in through the `account_anonymised` signal to scrub their own fields.
    """
    from .signals import account_anonymised

    account_anonymised.send(sender=User, user=user)
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.role = Role.CITIZEN
    user.anonymised_at = timezone.now()
    user.save()
    user.districts.clear()
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
