from django.apps import apps
from django.contrib.gis.db import models

from geoplatform.querysets import count_of


class ProjectQuerySet(models.QuerySet):
    def with_followers(self):
        follows = apps.get_model("projects", "ProjectFollow")
        return self.annotate(follower_count=count_of(follows.objects.all(), "project"))

    def in_district(self, code: str):
        return self.filter(districts__code=code).distinct()

    def of_department(self, name: str):
        return self.filter(department_ko=name)

    def with_status(self, status: str):
        return self.filter(status=status)

    def in_bbox(self, bbox):
        return self.filter(geom__intersects=bbox)

    def citing_proposal(self, proposal_id: int):
        return self.filter(proposals__pk=proposal_id)

    def citing_meeting(self, meeting_id: int):
        return self.filter(meetings__pk=meeting_id)
