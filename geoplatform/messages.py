"""Messages stored for later reading, rendered in the reader's language when read.

A timeline entry, a notification or an e-mail is written once and read later, perhaps by someone
who reads another language. So it is never stored as finished text: it is stored as a key and its
parameters, and rendered with the reader's language at read time.

    # <app>/messages.py (imported from the app's AppConfig.ready(), or at the top of services.py)
    from django.utils.translation import gettext_lazy as _
    from geoplatform.messages import register
    REPORT_SENT = register("reports.sent", _("Sent to %(district)s."))

    # storing (JSON field): {"key": "reports.sent", "params": {"district": {"ko": "강남구", "en": "Gangnam-gu"}}}
    event.data["message"] = stored(REPORT_SENT, district=localised(ko=d.name_ko, en=d.name_en))

    # reading (serializer, template, e-mail): in the active language, or the one given
    render(event.data["message"])                      # the request's language
    render(event.data["message"], language="en")

Parameters are plain values, a `localised(ko=…, en=…)` pair (a place name, a title), or another
stored message (`stored(KEY, …)`), e.g. a status label registered as a message of its own.
Templates use `%(name)s` placeholders (gettext's python-format). An unknown key renders its
`fallback` parameter (or ""), so a message removed from the code never breaks an old timeline.
"""
from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise, lazy

REGISTRY: dict[str, Promise | str] = {}


def register(key: str, template: Promise | str) -> str:
    """Register `key` → a `gettext_lazy` template; returns the key. Keys are "<app>.<what>"."""
    existing = REGISTRY.get(key)
    if existing is not None and str(existing) != str(template):
        raise ValueError(f"message key {key!r} is registered twice with different text")
    REGISTRY[key] = template
    return key


def stored(key: str, **params) -> dict:
    """What to store for a message: `{"key": …, "params": {…}}` (JSON-serialisable)."""
    if key not in REGISTRY:
        raise KeyError(f"unknown message key {key!r}: register it first")
    return {"key": key, "params": params}


def localised(**texts: str) -> dict:
    """A parameter with one text per language, e.g. `localised(ko="강남구", en="Gangnam-gu")`."""
    return {"i18n": {code: text for code, text in texts.items() if text}}


def _reader_text(ko: str, en: str) -> str:
    english = (translation.get_language() or "ko").startswith("en")
    return (en if english else ko) or ko or en or ""


# Content given in both languages (a dataset's title, a map category's name): the text of the language
# active when it is read or serialised, e.g. a legend entry's label (`reader_text(ko=…, en=…)`).
_reader_text_lazy = lazy(_reader_text, str)


def reader_text(*, ko: str, en: str):
    """One text of a pair, chosen when shown: the reader's language (Korean when it has no English)."""
    return _reader_text_lazy(ko, en)


def reader_legend(legend) -> list[dict]:
    """A legend's entries with one `label` each, read in the reader's language: entries stored with a
    `label_ko`/`label_en` pair (an analysis output's classes) are given one `reader_text` label instead."""
    return [{**{k: v for k, v in entry.items() if k not in ("label_ko", "label_en")},
             "label": reader_text(ko=entry.get("label_ko") or "", en=entry.get("label_en") or "")}
            if "label_ko" in entry or "label_en" in entry else entry for entry in legend or []]


class _Params(dict):
    def __missing__(self, name):
        return ""


def _param(value, language: str):
    if isinstance(value, dict):
        if "i18n" in value:
            texts = value["i18n"]
            return texts.get(language) or texts.get("ko") or next(iter(texts.values()), "")
        if "key" in value:
            return render(value, language=language)
    return value


def render(message: dict | None, *, language: str | None = None) -> str:
    """The stored `message` as text in `language` (default: the active language)."""
    if not message:
        return ""
    language = language or translation.get_language() or "ko"
    params = message.get("params") or {}
    template = REGISTRY.get(message.get("key", ""))
    if template is None:
        return str(params.get("fallback", ""))
    with translation.override(language):
        text = str(template)
        values = _Params({name: _param(value, language) for name, value in params.items()})
        try:
            return text % values
        except (TypeError, ValueError):
            return text
