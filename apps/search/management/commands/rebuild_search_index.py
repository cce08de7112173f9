from django.core.management.base import BaseCommand

from apps.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text index of all projects."

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{count} projects indexed."))
