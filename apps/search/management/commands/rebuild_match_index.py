import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from apps.catalog.models import Project
from apps.search.embeddings import get_embedder
from apps.search.services import match_index_rebuild


class Command(BaseCommand):
    help = "Compute the meaning vectors of all projects again (after a model change or bulk load)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with tqdm(total=Project.objects.count(), unit="project", disable=None) as bar:
            count = match_index_rebuild(progress=bar.update)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} projects embedded with {get_embedder().name} in {seconds:.1f} s."
            )
        )
