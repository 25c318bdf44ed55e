"""The workflow of a report: its statuses, where each may go next, and the status a whole report shows."""
from django.db import models
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("report status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("report status", "Resolved")
    REJECTED = "rejected", pgettext_lazy("report status", "Rejected")
    DUPLICATE = "duplicate", pgettext_lazy("report status", "Duplicate")
    NOT_OUR_RESPONSIBILITY = "not_our_responsibility", pgettext_lazy("report status", "Not our responsibility")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE, Status.NOT_OUR_RESPONSIBILITY)

# The workflow: where each status may go next. Resolved may be reopened; the other closed states are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.ACKNOWLEDGED, Status.REJECTED, Status.DUPLICATE,
                                 Status.NOT_OUR_RESPONSIBILITY}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE,
                                    Status.NOT_OUR_RESPONSIBILITY}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.REJECTED, Status.DUPLICATE,
                                   Status.NOT_OUR_RESPONSIBILITY}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS}),
    Status.REJECTED: frozenset(),
    Status.DUPLICATE: frozenset(),
    Status.NOT_OUR_RESPONSIBILITY: frozenset(),
}
# When districts disagree on a closed state, the report shows the most useful answer.
CLOSED_PRECEDENCE = (Status.RESOLVED, Status.DUPLICATE, Status.NOT_OUR_RESPONSIBILITY, Status.REJECTED)


def overall_status(district_statuses: list[str]) -> str:
    """A report is open while any of its districts is: it shows the least advanced open state.

    Only when every district has answered with a closed state is the report closed.
    """
    open_ones = [s for s in district_statuses if s in OPEN_STATUSES]
    if open_ones:
        return min(open_ones, key=list(OPEN_STATUSES).index)
    for status in CLOSED_PRECEDENCE:
        if status in district_statuses:
            return status
    return Status.SUBMITTED
