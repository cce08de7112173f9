import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database gets the shared cache table, like a real installation."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once in tests, so their effects (e-mails) can be checked."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; a deliberately slow hash would dominate their run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Uploads go to a temporary folder; static files come from the finders, unhashed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_search_state():
    """Each test rolls its database back; the vectors and the project count a process holds in
    memory go with it, as they would in a process started on that database. (The count is
    refreshed once a minute: left over, it made a test's query count depend on the clock.)"""
    from apps.search.backends import forget_project_count
    from apps.search.vectors import forget_indexes

    forget_project_count()
    yield
    forget_indexes()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """A request to /en/ leaves English active in the thread; each test starts in German, as a
    fresh process would, so that reverse() in one test does not depend on the one before."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
