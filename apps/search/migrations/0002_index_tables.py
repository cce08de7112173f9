"""The index tables, one kind per database. Neither has a foreign key: index rows are written
and removed by the services, and a key would stop Django's flush (TRUNCATE) between tests."""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE search_project_fts USING fts5(
        title, body, reversed, tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5'
    )""",
    "INSERT INTO search_project_fts(search_project_fts, rank) VALUES('rank', 'bm25(10.0, 2.0, 1.0)')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_project_fts"]
POSTGRES_CREATE = [
    """CREATE TABLE search_project_document (
        project_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX search_project_document_gin ON search_project_document USING gin(document)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_project_document"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial"), ("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
