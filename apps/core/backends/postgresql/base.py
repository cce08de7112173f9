"""PostgreSQL that rides out a restart: new connections wait for the server to come back, and
the connection remembers whether the current request has committed anything (see
apps.core.middleware.RetryAfterLostDatabaseMiddleware)."""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    committed = False

    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + settings.DATABASE_CONNECT_WAIT_SECONDS
        pause = 0.05
        while True:
            try:
                return super().get_new_connection(conn_params)
            except self.Database.OperationalError:  # psycopg's, not yet Django's
                # Refused, shutting down or starting up: during a restart all of these pass
                # within a second or two, so a visitor waits instead of getting an error page.
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _commit(self):
        # Set before the commit is sent: a commit cut off midway may have happened, and such
        # a request must not be repeated.
        self.committed = True
        return super()._commit()
