"""Text that people write: Markdown rendered to safe HTML, plain text cleaned of markup."""
import html

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def markdown_to_safe_html(text: str) -> str:
    """Markdown to HTML with only harmless tags: no script, no event handlers, no javascript: links."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


def plain_text(text: str) -> str:
    """Strip every tag from a short text field (names, titles, messages).

    The result is plain text, not HTML: "a < b" stays "a < b". Every output path
    escapes it (templates autoescape, the web app sets textContent).
    """
    return html.unescape(nh3.clean(text or "", tags=set())).strip()


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
