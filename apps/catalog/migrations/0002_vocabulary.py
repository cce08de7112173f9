from django.db import migrations

from apps.catalog.vocabulary import ensure_vocabulary


def load(apps, schema_editor):
    ensure_vocabulary(
        apps.get_model("catalog", "Topic"),
        apps.get_model("catalog", "TargetGroup"),
        apps.get_model("catalog", "TransferFormat"),
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
