from django.db import migrations
from django.utils.text import slugify

from apps.catalog.vocabulary import TARGET_GROUPS, TOPICS

TRANSFER_FORMAT_CODES = ["open_manual", "licence", "cooperation", "consulting"]


def load(apps, schema_editor):
    for model_name, terms in (("Topic", TOPICS), ("TargetGroup", TARGET_GROUPS)):
        model = apps.get_model("catalog", model_name)
        for name, name_en in terms:
            model.objects.get_or_create(slug=slugify(name), defaults={"name": name, "name_en": name_en})
    transfer_format = apps.get_model("catalog", "TransferFormat")
    for code in TRANSFER_FORMAT_CODES:
        transfer_format.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
