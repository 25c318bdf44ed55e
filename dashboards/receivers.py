"""Reactions to other apps' events: computed indicators follow the data they are computed from."""
from django.apps import apps
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from accounts.signals import account_anonymised

from .computed import MAP_KEYS, REPORT_KEYS
from .models import IndicatorFeedback


@receiver(account_anonymised, dispatch_uid="dashboards-anonymise")
def feedback_anonymise(sender, user, **kwargs):
    """Feedback stays (it is about the figure), without its author."""
    IndicatorFeedback.objects.filter(author=user).update(author=None)


@receiver(post_migrate, dispatch_uid="dashboards-computed-ensure")
def computed_ensure(sender, app_config=None, using="default", **kwargs):
    """Every deployment has the computed indicators (their figures come with the first refresh)."""
    if app_config is not None and app_config.name == "dashboards":
        from .services import computed_indicators_ensure

        computed_indicators_ensure()


def refresh_after_commit(keys: tuple[str, ...]) -> None:
    """Queue a refresh of these computed indicators when the current transaction commits (once per transaction,
    however many rows it changed; at most one waiting at a time, DASHBOARDS_REFRESH_SECONDS later:
    services.computed_refresh_queue)."""
    marker = f"dashboards-refresh:{','.join(keys)}"
    if connection.in_atomic_block and any(getattr(item[1], "marker", None) == marker
                                          for item in connection.run_on_commit):
        return

    def enqueue():
        from .services import computed_refresh_queue

        computed_refresh_queue(keys=list(keys))

    enqueue.marker = marker
    transaction.on_commit(enqueue)


def _connect(model_label: str, keys: tuple[str, ...], uid: str) -> None:
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return

    def changed(sender, **kwargs):
        if not kwargs.get("raw"):
            refresh_after_commit(keys)

    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")


_connect("reports.ReportDistrict", REPORT_KEYS, "dashboards-reports")
_connect("reports.Report", REPORT_KEYS, "dashboards-report")
_connect("maps.Feature", MAP_KEYS, "dashboards-features")
_connect("maps.Map", MAP_KEYS, "dashboards-maps")
