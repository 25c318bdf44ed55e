"""Helpers the apps' migrations share (they use only `apps.get_model`, so they stay right as models change)."""
from django.db import migrations


def content_types_move(old_label: str, new_label: str, models: tuple[str, ...]) -> migrations.RunPython:
    """Move the content types of models that changed app (permissions and admin history follow them),
    and back on reverse; a content type already created under the new label is left alone."""

    def move(source: str, target: str):
        def run(apps, schema_editor):
            ContentType = apps.get_model("contenttypes", "ContentType")
            types = ContentType.objects.using(schema_editor.connection.alias)
            for model in models:
                if not types.filter(app_label=target, model=model).exists():
                    types.filter(app_label=source, model=model).update(app_label=target)

        return run

    return migrations.RunPython(move(old_label, new_label), move(new_label, old_label))
