"""Fixtures for platform feedback: fresh rate limits, five people who say "me too", a running round."""
import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache and are keyed by IP: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voters(make_user):
    return [make_user(f"voter{i}") for i in range(1, 6)]


@pytest.fixture
def open_round(staff, seoul):
    from campaigns import services

    now = timezone.now()
    return services.round_create(actor=staff, title="2026 가을 지도 주제 / Autumn 2026 map topics",
                                 starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(days=7))
