"""Fixtures for campaigns: rounds that run now, five voters, API helpers."""
import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns import services


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache and are keyed by IP: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voters(make_user):
    return [make_user(f"voter{i}", established=True) for i in range(1, 6)]


@pytest.fixture
def open_round(staff, seoul):
    now = timezone.now()
    return services.round_create(actor=staff, title="2026 가을 지도 주제 / Autumn 2026 map topics",
                                 starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(days=7))


@pytest.fixture
def propose(client_for):
    """POST a proposal through the API as a user; returns the response."""

    def make(user, title="성북구 어두운 골목 지도", districts=("11290",), **extra):
        body = {"title": title, "why": "밤길이 어두운 골목을 함께 찾아 가로등을 요청합니다.",
                "area_scope": "districts" if districts else "seoul", "districts": list(districts),
                "categories": ["가로등 없음", "CCTV 없음"], **extra}
        return client_for(user).post("/api/proposals/", body, format="json")

    return make


def end_round_now(round_):
    """Move a running round's end into the past, as the clock would."""
    from campaigns.models import Round

    Round.objects.filter(pk=round_.pk).update(ends_at=timezone.now() - datetime.timedelta(seconds=1),
                                              starts_at=timezone.now() - datetime.timedelta(days=1))
    round_.refresh_from_db()
    return round_


@pytest.fixture
def map_templates(db):
    """The maps app's shipped templates (a data migration; transactional tests flush them, so put them back)."""
    from importlib import import_module

    from django.apps import apps

    from maps.models import MapTemplate

    if not MapTemplate.objects.filter(slug="safety").exists():
        import_module("maps.migrations.0002_shipped_templates").templates_create(apps, None)
