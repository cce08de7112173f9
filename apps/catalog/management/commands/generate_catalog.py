from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.catalog.demo.synthetic import generate_catalog


class Command(BaseCommand):
    help = (
        "Add a synthetic, published catalog of N projects (with organisations, sites and the "
        "search index) for benchmarks. Loads the municipalities first if there are none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, help="How many projects.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for repeats.")
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Projects per transaction."
        )

    def handle(self, *args, projects: int, seed: int | None, batch_size: int, **options):
        if projects < 1 or batch_size < 1:
            raise CommandError("--projects and --batch-size must be at least 1.")
        with tqdm(total=projects, desc="Synthetic projects", unit="project") as bar:
            report = generate_catalog(
                projects=projects, seed=seed, batch_size=batch_size, progress=bar.update
            )
        if report.municipalities_added:
            self.stdout.write(f"{report.municipalities_added} municipalities loaded first.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.projects} projects, {report.organisations} organisations and "
                f"{report.sites} sites generated in {report.seconds:.1f} s."
            )
        )
        self.stdout.write(
            "The new projects have no meaning vectors yet: run `manage.py rebuild_match_index` "
            "so that 'match my problem' ranks them by meaning too."
        )
