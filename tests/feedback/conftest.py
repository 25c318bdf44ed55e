"""Fixtures for platform feedback: the campaigns' fresh rate limits, five people and a running round."""
from tests.campaigns.conftest import _fresh_rate_limits, open_round, voters  # noqa: F401  (fixtures)
