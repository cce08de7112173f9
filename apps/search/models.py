"""The search index tables. Created by this app's migration for the database in use only."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Lookup


class Fts5MatchField(models.TextField):
    """The FTS5 hidden column named like its table; only the `match` lookup makes sense."""


@Fts5MatchField.register_lookup
class Fts5Match(Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SqliteProjectIndex(models.Model):
    project = models.OneToOneField(
        "catalog.Project",
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="sqlite_search",
        db_constraint=False,
    )
    match = Fts5MatchField(db_column="search_project_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "search_project_fts"


class PostgresProjectDocument(models.Model):
    project = models.OneToOneField(
        "catalog.Project",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="pg_search",
        db_constraint=False,
    )
    document = SearchVectorField()

    class Meta:
        managed = False
        db_table = "search_project_document"


class ProjectEmbedding(models.Model):
    """The meaning of a project as a vector, for "match my problem".

    Stored as float16 bytes (half the size, no measurable loss for cosine ranking); the model
    name keeps vectors of different models apart, so a swap never mixes them.
    """

    project = models.OneToOneField(
        "catalog.Project", primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )
    model = models.CharField(max_length=40)
    vector = models.BinaryField()
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["model", "changed_at"], name="embedding_model_changed_idx")]
