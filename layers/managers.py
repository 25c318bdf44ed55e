from django.db import models


class DatasetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)
