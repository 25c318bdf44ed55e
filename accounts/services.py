"""Writes on accounts: sign-up, e-mail verification and change, role grants, account deletion."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from districts.models import District

from .models import Role
from .names import validate_not_reserved

User = get_user_model()

VERIFY_SALT = "accounts.email-verify"


def _absolute(path: str, request=None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return (getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/") + path


def email_verification_token(*, user: "User", email: str) -> str:
    """A signed, timed token naming the account and the address it proves (no state kept on our side)."""
    return signing.TimestampSigner(salt=VERIFY_SALT).sign_object({"u": user.pk, "e": email})


def _send(*, to: str, subject: str, body: str, language: str) -> None:
    transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=True))


def email_verification_send(*, user: "User", email: str, request=None) -> None:
    """E-mail a link that proves `email` belongs to `user`; following it sets (or changes) the address."""
    link = _absolute(reverse("email-verify", args=[email_verification_token(user=user, email=email)]), request)
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Confirm your e-mail address for geoplatform")
        body = _("Hello %(username)s,\n\nopen this link to confirm that %(email)s is your address:\n\n%(link)s\n\n"
                 "The link works for %(days)d days. If you did not ask for this, ignore this message.") % {
            "username": user.username, "email": email, "link": link, "days": settings.ACCOUNTS_VERIFY_MAX_AGE_DAYS}
    _send(to=email, subject=subject, body=body, language=user.preferred_language)


@transaction.atomic
def user_signup(*, username: str, email: str, password: str, request=None) -> None:
    """Register an account, active only once its e-mail is confirmed through the link we send.

    The answer is the same whether the username is free or taken (no enumeration): a taken name
    costs the same password hash, and the e-mail to the given address says the name is taken.
    Errors that do not depend on other accounts (format, weak password, reserved name) are raised.
    """
    user = User(username=username, email=email, role=Role.CITIZEN, is_active=False,
                preferred_language=translation.get_language() or settings.LANGUAGE_CODE)
    try:
        validate_not_reserved(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    user.set_password(password)
    if User.objects.filter(username__iexact=username).exists():
        with translation.override(user.preferred_language):
            subject = _("Your geoplatform sign-up")
            body = _("Someone (perhaps you) tried to sign up with the username %(username)s and this address. "
                     "That username is already in use: sign up again with another one, or sign in if it is yours.") % {
                "username": username}
        _send(to=email, subject=subject, body=body, language=user.preferred_language)
        return None
    user.full_clean()
    user.save()
    email_verification_send(user=user, email=email, request=request)
    return None


def _verify_payload(token: str) -> tuple["User", str]:
    max_age = settings.ACCOUNTS_VERIFY_MAX_AGE_DAYS * 86400
    try:
        data = signing.TimestampSigner(salt=VERIFY_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError({"token": _("This link has expired. Ask for a new one.")})
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError({"token": _("This link is not valid.")})
    user = User.objects.select_for_update().filter(pk=data.get("u"), anonymised_at__isnull=True).first() \
        if isinstance(data, dict) else None
    if user is None or not isinstance(data.get("e"), str):
        raise ValidationError({"token": _("This link is not valid.")})
    return user, data["e"]


@transaction.atomic
def email_verify(*, token: str) -> "User":
    """Follow a verification link: the address in it becomes the account's, verified; a new account is activated."""
    user, email = _verify_payload(token)
    if user.email_verified and user.email == email:
        return user
    user.email = email
    user.email_verified_at = timezone.now()
    if user.last_login is None and not user.is_active:
        user.is_active = True  # a sign-up confirmed; a deactivated account that had signed in stays so
    user.full_clean()
    user.save(update_fields=["email", "email_verified_at", "is_active"])
    return user


def email_change_request(*, user: "User", email: str, request=None) -> None:
    """Changing the address needs proof: the link goes to the new address; the old one stays until then."""
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")})
    email_verification_send(user=user, email=email, request=request)


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
    user.email_verified_at = None
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
