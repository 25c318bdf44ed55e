"""`{% projects_progress %}`: the city projects' progress per district and per department, for any page
(the dashboards show it). A template tag, so that pages of other apps need not import this app."""
from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("projects/_progress_tables.html", takes_context=True)
def projects_progress(context):
    return {"districts": [r for r in selectors.progress_by_district() if r["projects"]],
            "departments": selectors.progress_by_department(), "LANGUAGE_CODE": context.get("LANGUAGE_CODE")}
