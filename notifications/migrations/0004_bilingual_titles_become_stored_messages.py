"""Notifications stored before #17 with an "한국어 / English" title become stored messages.

Campaign, proposal and feedback notifications used to store one bilingual line as their title. Rows
whose title has that exact shape get the key and parameters their kind now stores (the keys are
registered in campaigns/messages.py and feedback/messages.py), so each reader reads them in one
language; their `title` column keeps its old text. Anything else is left as it is (still readable).
The reverse drops only what this migration added.
"""
import re

from django.db import migrations

STATES = {"selected", "merged", "declined", "accepted", "open", "evaluation"}
FEEDBACK_STATES = {"planned", "done", "declined"}
PATTERNS = {
    "proposal_answered": re.compile(r"^.+ \(.+\) / The city answered your proposal \((?P<state>\w+)\)$"),
    "feedback_answered": re.compile(r"^.+ \(.+\) / Your feedback was answered \((?P<state>\w+)\)$"),
    "campaign_started": re.compile(r"^.+ / The map you chose is open: (?P<title>.+)$", re.S),
}
MARK = "migrated_from_bilingual"


def _content(kind: str, title: str) -> dict | None:
    match = PATTERNS[kind].match(title)
    if match is None:
        return None
    if kind == "proposal_answered" and match["state"] in STATES:
        state = {"key": f"campaigns.proposal_state.{match['state']}", "params": {}}
        return {"key": "campaigns.answered.title", "params": {"state": state}}
    if kind == "feedback_answered" and match["state"] in FEEDBACK_STATES:
        state = {"key": f"feedback.state.{match['state']}", "params": {}}
        return {"key": "feedback.answered.title", "params": {"state": state}}
    if kind == "campaign_started":
        return {"key": "campaigns.started.title", "params": {"title": match["title"]}}
    return None


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.filter(kind__in=list(PATTERNS)).iterator():
        if (notification.content or {}).get("title"):
            continue
        title = _content(notification.kind, notification.title)
        if title is not None:
            notification.content = {**(notification.content or {}), "title": title, MARK: True}
            notification.save(update_fields=["content"])


def backwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.filter(**{f"content__{MARK}": True}).iterator():
        content = {k: v for k, v in notification.content.items() if k not in ("title", MARK)}
        notification.content = content
        notification.save(update_fields=["content"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_one_language"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
