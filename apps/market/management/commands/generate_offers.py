from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.catalog.models import Project
from apps.market.demo.synthetic import generate_offers


class Command(BaseCommand):
    help = (
        "Give a share of the published projects without a transfer offer a synthetic one "
        "(after the demo offers), for benchmarks. With --seed a second run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--share", type=float, default=0.2, help="Share of projects with an offer (0–1)."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for repeats.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Offers per transaction.")

    def handle(self, *args, share: float, seed: int | None, batch_size: int, **options):
        if not 0 <= share <= 1 or batch_size < 1:
            raise CommandError("--share must be between 0 and 1, --batch-size at least 1.")
        candidates = Project.objects.published().filter(offer__isnull=True).count()
        with tqdm(total=candidates, desc="Projects considered", unit="project") as bar:
            report = generate_offers(
                share=share, seed=seed, batch_size=batch_size, progress=bar.update
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.offers} offers for {report.candidates} published projects without "
                f"one generated in {report.seconds:.1f} s."
            )
        )
