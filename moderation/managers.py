"""Chainable reads of flags."""
from django.db import models


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state="open")

    def on(self, target_type: str, target_id: int):
        return self.filter(target_type=target_type, target_id=target_id)
