# The names of the districts a report is routed to, kept on the report (the `reports` layer read them with two
# subqueries a report: half of a street-level tile's time). Filled here from the routing rows, in one statement (on a
# year of Seoul's reports, 9 million rows, this takes minutes: run it in the deploy's maintenance step).

from django.db import migrations, models

FILL = """
UPDATE reports_report r SET routed_districts_ko = names.ko, routed_districts_en = names.en
FROM (SELECT rd.report_id, string_agg(d.name_ko, ', ' ORDER BY d.code) AS ko,
             string_agg(d.name_en, ', ' ORDER BY d.code) AS en
      FROM reports_reportdistrict rd JOIN districts_district d ON d.id = rd.district_id
      GROUP BY rd.report_id) AS names
WHERE names.report_id = r.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0006_enum_labels'),
        ('districts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='routed_districts_en',
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='report',
            name='routed_districts_ko',
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
