"""Real indicators for `make run`: computed from the open datasets, resident counts and the platform's
own reports and maps (no invented numbers). Runs after layers' demo has loaded the open datasets."""
from .services import computed_indicators_ensure, computed_indicators_refresh


def load_demo(stdout):
    computed_indicators_ensure()
    refreshed = computed_indicators_refresh()
    new = sum(1 for version in refreshed.values() if version)
    stdout.write(f"dashboards: {len(refreshed)} computed indicators ({new} updated)")
