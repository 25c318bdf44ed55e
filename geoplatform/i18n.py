"""Which language a reader reads in, in one place.

The reader's language is, in order: the account's choice (`User.preferred_language`, set on the
account page or by the header's language switch), else the page's language (the `django_language`
cookie the switch sets), else the browser's or API client's `Accept-Language`, else `LANGUAGE_CODE`.
Django's `LocaleMiddleware` does the last three; `ReaderLanguageMiddleware` (after authentication)
applies the account's choice for session users, and `accounts.authentication.TokenAuthentication`
does the same for API tokens (DRF authenticates inside the view, after every middleware).
"""
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def account_language(user) -> str:
    """The language the account chose, or "" when it chose none (or is anonymous)."""
    code = getattr(user, "preferred_language", "") if getattr(user, "is_authenticated", False) else ""
    return code if code in SUPPORTED else ""


def reader_language(user=None) -> str:
    """The language to write to `user` in when no request is at hand (e-mails, background jobs)."""
    return account_language(user) or settings.LANGUAGE_CODE


def activate_for(request, user) -> None:
    """Switch the current request to `user`'s chosen language, if they chose one."""
    code = account_language(user)
    if code:
        translation.activate(code)
        request.LANGUAGE_CODE = code


@contextmanager
def language_of(user):
    """`with language_of(user): …` renders gettext text (subjects, bodies) in `user`'s language."""
    with translation.override(reader_language(user)):
        yield


class ReaderLanguageMiddleware:
    """After `AuthenticationMiddleware`: a signed-in reader's account choice wins over the page's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only requests that carry a session can have a signed-in user: the rest (tiles, API
        # clients with tokens) are not charged a session lookup.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            activate_for(request, request.user)
        return self.get_response(request)
