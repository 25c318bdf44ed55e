"""DRF authentication that also applies the account's language (see geoplatform/i18n.py).

DRF authenticates inside the view, after every middleware has run, so a token client's account
choice is applied here; session users get theirs from `ReaderLanguageMiddleware` already.
"""
from rest_framework import authentication

from geoplatform.i18n import activate_for


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_for(request._request, result[0])
        return result
