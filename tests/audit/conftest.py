"""Reports are what most of this app acts on: the reports fixtures (real places, categories, make_report)."""
from tests.reports.conftest import categories, make_report, places  # noqa: F401
