"""Text that people write: Markdown rendered to safe HTML, plain text cleaned of markup."""
import html
import re

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def markdown_to_safe_html(text: str) -> str:
    """Markdown to HTML with only harmless tags: no script, no event handlers, no javascript: links."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


# Characters XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab,
# line feed and carriage return, lone surrogates, U+FFFE and U+FFFF. One in a stored text would make
# every XML answer that includes it (Open311 requests.xml) malformed for all its readers.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry; everything else is kept as it is."""
    return XML_INVALID.sub("", text or "")


def plain_text(text: str) -> str:
    """Strip every tag from a short text field (names, titles, messages), and characters XML cannot carry.

    The result is plain text, not HTML: "a < b" stays "a < b". Every output path
    escapes it (templates autoescape, the web app sets textContent).
    """
    return html.unescape(nh3.clean(xml_safe(text), tags=set())).strip()


def _unstorable(text: str) -> bool:
    """NUL (PostgreSQL text and jsonb cannot hold it) or a lone surrogate (not encodable as UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_check_storable(value) -> None:
    """Refuse a string, or any key or string inside a JSON-like value, that the database cannot store.

    Walks iteratively, so a deeply nested value cannot exhaust the stack.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _unstorable(item):
                raise ValidationError(_("Text must not contain NUL characters or unpaired surrogates."),
                                      code="unstorable_text")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def text_clean(field: str, value, *, max_length: int, required: bool = False) -> str:
    """What a person wrote in `field`, as plain text within `max_length`; refused when empty and required."""
    from django.utils.translation import gettext

    from .errors import field_error

    text = plain_text(value or "")
    if required and not text:
        raise field_error(field, gettext("This cannot be empty."), "required")
    if len(text) > max_length:
        raise field_error(field, gettext("Keep it under %(n)d characters.") % {"n": max_length}, "max_length")
    return text
