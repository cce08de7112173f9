"""SQLite: a view of the full-text index's vocabulary (how many documents hold each term), so
that "match my problem" can leave out the words most projects share."""

from django.db import migrations


CREATE = (
    "CREATE VIRTUAL TABLE search_project_fts_vocab "
    "USING fts5vocab(search_project_fts, 'row')"
)
DROP = "DROP TABLE IF EXISTS search_project_fts_vocab"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_project_embedding")]

    operations = [migrations.RunPython(create, drop)]
