"""Run against an empty database (DATABASE_URL): migrate to the state before `moderation/` was split, store rows
of every moved model through the historical models, migrate forward, and print what survived as JSON.

Used by test_split_migration.py in a subprocess, so the test database of the suite is never migrated backwards.
"""
import datetime
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplatform.settings.test")
django.setup()

from django.contrib.gis.geos import Point  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

BEFORE = [("moderation", "0003_flaggable_proposals_and_comments"), ("reports", None), ("audit", None),
          ("notifications", None)]


def before_split() -> dict:
    connection.prepare_database()  # CREATE EXTENSION postgis, as `manage.py migrate` does
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[:1]).apps
    User, ContentType, Permission = (old.get_model("accounts", "User"), old.get_model("contenttypes", "ContentType"),
                                     old.get_model("auth", "Permission"))
    District = old.get_model("districts", "District")
    M = {name: old.get_model("moderation", name) for name in
         ("ReportCategory", "Report", "ReportDistrict", "ReportEvent", "ReportPhoto", "Notification", "Flag",
          "AuditLog")}
    officer = User.objects.create(username="officer", role="district_officer")
    citizen = User.objects.create(username="citizen", role="citizen", email="c@example.org")
    gangnam = District.objects.create(code="11680", name_ko="강남구", name_en="Gangnam-gu",
                                      geom="SRID=4326;MULTIPOLYGON(((127 37.4,127.1 37.4,127.1 37.5,127 37.5,127 37.4)))")
    category = M["ReportCategory"].objects.create(code="road_damage", name_ko="도로 파손", name_en="Damaged road")
    today = datetime.date(2026, 11, 2)
    reports = []
    for i in range(3):
        point = Point(127.05, 37.45 + i / 1000, srid=4326)
        report = M["Report"].objects.create(category=category, geom=point, public_geom=point, description=f"r{i}",
                                            reporter=citizen, created_on=today, acknowledge_due=today,
                                            resolve_due=today, is_hidden=i == 2)
        M["ReportDistrict"].objects.create(report=report, district=gangnam, status="acknowledged", answer="seen")
        M["ReportEvent"].objects.create(report=report, kind="created", to_status="submitted", message="sent")
        M["ReportEvent"].objects.create(report=report, kind="note", actor=officer, district=gangnam, message="note")
        M["Notification"].objects.create(user=citizen, report=report, kind="report_received", title=f"#{report.pk}")
        M["AuditLog"].objects.create(actor_id=citizen.pk, action="report.create", target_type="moderation.report",
                                     target_id=str(report.pk), after={"status": "submitted"})
        reports.append(report.pk)
    M["ReportPhoto"].objects.create(report_id=reports[0], image="reports/a.jpg", thumbnail="reports/a_t.jpg",
                                    width=10, height=10, content_type="image/jpeg")
    M["Flag"].objects.create(user=officer, target_type="report", target_id=reports[2], reason="spam")
    M["AuditLog"].objects.create(action="export", target_type="layer", target_id="reports")
    report_type = ContentType.objects.create(app_label="moderation", model="report")
    permission = Permission.objects.create(content_type=report_type, codename="change_report", name="Can change report")
    officer.user_permissions.add(permission)
    return {"reports": reports, "report_type": report_type.pk, "officer": officer.pk}


def after_split(before: dict) -> dict:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditLog
    from moderation.models import Flag
    from notifications.models import Notification
    from reports.models import Report, ReportCategory, ReportDistrict, ReportEvent, ReportPhoto

    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'moderation\\_%%' ORDER BY 1")
        moderation_tables = [row[0] for row in cur.fetchall()]
    refused = []
    for statement in ("UPDATE audit_auditlog SET action = 'forged'", "DELETE FROM audit_auditlog"):
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(statement)
        except DatabaseError:
            refused.append(statement.split()[0])
    officer = get_user_model().objects.get(pk=before["officer"])
    report = Report.objects.get(pk=before["reports"][0])
    return {
        "counts": {model.__name__: model.objects.count() for model in
                   (ReportCategory, Report, ReportDistrict, ReportEvent, ReportPhoto, Notification, Flag, AuditLog)},
        "report_ids": sorted(Report.objects.values_list("pk", flat=True)),
        "hidden": sorted(Report.objects.filter(is_hidden=True).values_list("pk", flat=True)),
        "first_report": [report.category.code, [rd.district.code for rd in report.report_districts.all()],
                         report.photos.count(), Notification.objects.filter(report=report).count()],
        "audit_target_types": sorted(set(AuditLog.objects.values_list("target_type", flat=True))),
        "report_type": ContentType.objects.get_for_model(Report).pk,
        "officer_may_change_reports": officer.has_perm("reports.change_report"),
        "moderation_tables": moderation_tables,
        "audit_refuses": refused,
        "next_report_id_is_new": Report.objects.create(
            category=report.category, geom=report.geom, public_geom=report.geom, description="new",
            created_on=report.created_on, acknowledge_due=report.created_on,
            resolve_due=report.created_on).pk > max(before["reports"]),
    }


if __name__ == "__main__":
    before = before_split()
    json.dump({"before": before, "after": after_split(before)}, sys.stdout)
