from django.db import models


class RateLimitHit(models.Model):
    """One counted action of one client: a user id or a hashed IP address, never the raw IP.

    Counted in the database because the default database cache cannot increment atomically;
    the rows outlive no window by more than a day (see apps.core.ratelimit)."""

    scope = models.CharField(max_length=40)
    client = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "client", "created_at"], name="ratelimit_lookup")]
