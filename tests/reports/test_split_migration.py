"""Splitting `moderation/` into reports, moderation, audit and notifications keeps every table's rows."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database(db):
    """A database of its own in the same cluster, dropped afterwards."""
    params = connection.settings_dict
    name = f"split_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", user=params["USER"], password=params["PASSWORD"],
                             host=params["HOST"], port=params["PORT"])
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    yield f"postgis://{user}@{params['HOST'] or 'localhost'}:{params['PORT']}/{name}"
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.slow
def test_rows_of_every_moved_model_survive_the_split(empty_database):
    env = {**os.environ, "DATABASE_URL": empty_database, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.test"}
    run = subprocess.run([sys.executable, "-m", "tests.reports.split_migration_check"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    before, after = result["before"], result["after"]
    assert after["counts"] == {"ReportCategory": 1, "Report": 3, "ReportDistrict": 3, "ReportEvent": 6,
                               "ReportPhoto": 1, "Notification": 3, "Flag": 1, "AuditLog": 4}
    assert after["report_ids"][:3] == before["reports"] and after["next_report_id_is_new"]
    assert after["hidden"] == before["reports"][2:]
    assert after["first_report"] == ["road_damage", ["11680"], 1, 1]
    # the log's history of a report is found under the report's new label; other targets are untouched
    assert after["audit_target_types"] == ["layer", "reports.report"]
    # the content type row moved with the model: permissions granted before the split still hold
    assert after["report_type"] == before["report_type"] and after["officer_may_change_reports"]
    # only the flags stay in moderation's tables; the audit log is still append-only under its new name
    assert after["moderation_tables"] == ["moderation_flag"]
    assert after["audit_refuses"] == ["UPDATE", "DELETE"]
    assert settings.INSTALLED_APPS.index("reports") > 0
