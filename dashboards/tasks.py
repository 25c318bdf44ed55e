from django_tasks import task


@task()
def computed_indicators_refresh_task(keys: list[str] | None = None) -> dict:
    """Recompute computed indicators in the background worker (all, or those with these computation keys)."""
    from .services import computed_indicators_refresh

    return computed_indicators_refresh(keys=keys)
