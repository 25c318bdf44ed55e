"""Computed indicators' sources were stored as "한국어 / English": they become the English msgids the
code now stores, read in each reader's language (`Indicator.source_text`). Staff-written sources are
left as they are."""
from django.db import migrations

OLD_TO_NEW = {
    "서울 열린데이터 광장 / Seoul Open Data Plaza": "Seoul Open Data Plaza",
    "시민 신고 (geoplatform) / Citizen reports (geoplatform)": "Citizen reports (geoplatform)",
    "시민 지도 (geoplatform) / Citizens' maps (geoplatform)": "Citizens' maps (geoplatform)",
    "행정안전부 주민등록 인구통계 / MOIS": "Resident registration statistics, Ministry of the Interior and Safety",
}


def forwards(apps, schema_editor):
    Indicator = apps.get_model("dashboards", "Indicator")
    for old, new in OLD_TO_NEW.items():
        Indicator.objects.filter(kind="computed", source_department=old).update(source_department=new)


def backwards(apps, schema_editor):
    Indicator = apps.get_model("dashboards", "Indicator")
    for old, new in OLD_TO_NEW.items():
        Indicator.objects.filter(kind="computed", source_department=new).update(source_department=old)


class Migration(migrations.Migration):

    dependencies = [
        ("dashboards", "0003_choice_labels_translated"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
