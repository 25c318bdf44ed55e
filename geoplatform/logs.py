"""No secret in an access log: query parameters that carry keys are replaced before a line is written.

Secrets that can appear in a URL: `api_key` (Open311 clients that put it in the query string are
refused with a 400, but the request line is logged all the same), `key` (a private map's secret link),
`token`, and the signed token of an e-mail confirmation link (`/accounts/verify/<token>/`). Every access
log goes through `scrub_secrets`: uvicorn's (the web nodes: `ScrubSecrets` on the `uvicorn.access` logger,
configured in settings.LOGGING when Django starts in each worker), gunicorn's (`GunicornLogger`, set in
gunicorn.conf.py) and the development server's (`ScrubSecrets` on `django.server`); headers that carry
credentials are blanked if an access-log format names them.
"""
import logging
import re

from gunicorn.glogging import Logger

SECRET_PARAMETERS = ("api_key", "apikey", "key", "token", "access_token")
_SECRET_IN_QUERY = re.compile(
    r"(?i)((?:^|[?&;]|%3F|%26)(?:" + "|".join(SECRET_PARAMETERS) + r")(?:=|%3D))[^&;\s\"']*")
_SECRET_IN_PATH = re.compile(r"(?i)(/accounts/verify/)[^/?#\s\"']+")
SECRET_HEADERS = ("authorization", "x-api-key", "cookie")
SCRUBBED = "[scrubbed]"


def scrub_secrets(text: str) -> str:
    if not text:
        return text
    text = _SECRET_IN_QUERY.sub(lambda m: m.group(1) + SCRUBBED, text)
    return _SECRET_IN_PATH.sub(lambda m: m.group(1) + SCRUBBED, text)


class ScrubSecrets(logging.Filter):
    """A logging filter: each text argument of the record (uvicorn's formatter reads them one by one) and its
    message are scrubbed; a message with other arguments is formatted, scrubbed and frozen."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(scrub_secrets(a) if isinstance(a, str) else a for a in record.args)
            record.msg = scrub_secrets(record.msg) if isinstance(record.msg, str) else record.msg
            return True
        message = record.getMessage()
        clean = scrub_secrets(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with secrets removed from every access-log atom (request line, query, referer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if isinstance(value, str):
                lowered = name.lower()
                if any(lowered == "{%s}i" % header for header in SECRET_HEADERS):
                    atoms[name] = SCRUBBED
                else:
                    atoms[name] = scrub_secrets(value)
        return atoms
