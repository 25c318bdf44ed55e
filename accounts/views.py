"""Web pages of accounts: sign up, verify the e-mail, sign in and out, the account page, the language switch."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import EmailChangeForm, SignupForm
from .services import email_change_request, email_verify


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def set_language(request):
    """Django's language switch, and a signed-in reader's account remembers the choice."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and code in dict(settings.LANGUAGES):
        if request.user.preferred_language != code:
            request.user.preferred_language = code
            request.user.save(update_fields=["preferred_language"])
    return response


@login_required
def account(request):
    return render(request, "accounts/account.html", {"email_form": EmailChangeForm()})


@login_required
@require_http_methods(["POST"])
def account_email(request):
    """Change the e-mail: a link goes to the new address; the old address stays until it is followed."""
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            email_change_request(user=request.user, email=form.cleaned_data["email"], request=request)
        except ValidationError as exc:
            form.add_error("email", exc.messages)
    if form.errors:
        return render(request, "accounts/account.html", {"email_form": form}, status=400)
    messages.info(request, _("We sent a link to %(email)s. Your address changes when you open it.")
                  % {"email": form.cleaned_data["email"]})
    return redirect("account")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.save(request=request):
        # The same page whether the username was free or taken: the e-mail says which.
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")})


def email_verify_page(request, token: str):
    """Where the e-mailed link lands: the address is confirmed (a new account can then sign in)."""
    try:
        user = email_verify(token=token)
    except ValidationError as exc:
        return render(request, "accounts/verify.html", {"error": " ".join(exc.messages)}, status=400)
    return render(request, "accounts/verify.html", {"verified_user": user})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def logout(request):
    if request.method == "POST":
        auth_logout(request)
        messages.info(request, _("You are signed out."))
        return redirect(_safe_next(request))
    return render(request, "accounts/logout.html")
