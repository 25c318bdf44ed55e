"""City projects on the map: what the city builds or changes, where, for how much, and how far along.

A project has a location of one kind (points, lines or areas; several parts allowed), the
districts it serves, a planned and a spent budget, dates, a status (a cancelled project says
why) and a progress percentage. Its timeline is a list of dated public updates with photos;
people who follow a project are told of each update. A project cites the citizens' proposals
it answers, the committee meetings that decided it and the hazard reports it resolves; those show
the project back.
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_city_staff

from .managers import ProjectQuerySet


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Project(models.Model):
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    description_ko = models.TextField(max_length=8000, blank=True)
    description_en = models.TextField(max_length=8000, blank=True)
    department_ko = models.CharField(max_length=120, help_text=_("The responsible department (e.g. 도시교통실)."))
    department_en = models.CharField(max_length=120, blank=True)
    districts = models.ManyToManyField("districts.District", blank=True, related_name="projects")
    geom = models.GeometryField(srid=4326, spatial_index=False,
                                help_text=_("MultiPoint, MultiLineString or MultiPolygon (one or more parts)."))
    budget_planned = models.BigIntegerField(default=0, help_text=_("Korean won."))
    budget_spent = models.BigIntegerField(default=0, help_text=_("Korean won."))
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    cancel_reason = models.TextField(max_length=2000, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent, 0 to 100."))
    proposals = models.ManyToManyField("campaigns.Proposal", blank=True, related_name="projects")
    meetings = models.ManyToManyField("meetings.Meeting", blank=True, related_name="projects")
    reports = models.ManyToManyField("reports.Report", blank=True, related_name="projects",
                                     help_text=_("Hazard reports this project resolves."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            GistIndex(fields=["geom"], name="projects_project_geom_gist"),
            models.Index(fields=["status"], name="projects_project_status_idx"),
            models.Index(fields=["department_ko"], name="projects_project_dept_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="projects_progress_at_most_100"),
            models.CheckConstraint(condition=Q(budget_planned__gte=0) & Q(budget_spent__gte=0),
                                   name="projects_budget_not_negative"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True)
                                   | Q(ends_on__gte=models.F("starts_on")), name="projects_ends_after_start"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="projects_cancelled_has_reason"),
        ]

    def __str__(self):
        return self.title_ko

    @staticmethod
    def can_manage(user) -> bool:
        return is_city_staff(user)


class ProjectUpdate(models.Model):
    """A dated public entry in a project's timeline (what happened, with photos)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    text_ko = models.TextField(max_length=4000)
    text_en = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, blank=True,
                              help_text=_("The project's status set by this update, if it changed."))
    progress = models.PositiveSmallIntegerField(null=True, blank=True,
                                                help_text=_("The project's progress set by this update, if given."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["project", "date"], name="projects_update_date_idx")]
        constraints = [models.CheckConstraint(condition=Q(progress__isnull=True) | Q(progress__lte=100),
                                              name="projects_update_progress_at_most_100")]


class ProjectUpdatePhoto(models.Model):
    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="projects/%Y/%m/")
    thumbnail = models.ImageField(upload_to="projects/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class ProjectFollow(models.Model):
    """A person who wants to hear of each update. Counted in public, never listed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="projects_follow_once")]
