from django.db import migrations

from apps.market.vocabulary import ensure_offer_components


def create(apps, schema_editor):
    ensure_offer_components(apps.get_model("market", "OfferComponent"))


class Migration(migrations.Migration):
    dependencies = [("market", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
