"""Rate limit on the HTML forms that take a password or create an account (see accounts.throttles)."""
import math

from django.shortcuts import render
from django.utils.translation import gettext as _

from .throttles import auth_rate_wait

# URL names of the HTML views that take a password or an account; the API views use DRF throttles.
LIMITED_VIEWS = {"login", "signup", "account-email", "admin:login"}


class AuthRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        if request.resolver_match.view_name not in LIMITED_VIEWS:
            return None
        wait = auth_rate_wait(request)
        if wait is None:
            return None
        seconds = max(1, math.ceil(wait))
        response = render(request, "accounts/too_many.html",
                          {"message": _("Too many attempts from your address. Try again in %(seconds)d seconds.")
                           % {"seconds": seconds}}, status=429)
        response["Retry-After"] = str(seconds)
        return response
