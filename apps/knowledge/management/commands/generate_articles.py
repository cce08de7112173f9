from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.knowledge.demo.synthetic import generate_articles
from apps.knowledge.models import Article


class Command(BaseCommand):
    help = (
        "Add synthetic published articles (after the demo articles) until the knowledge hub "
        "holds N published ones, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", type=int, required=True, help="Published articles wanted in all."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for repeats.")
        parser.add_argument("--batch-size", type=int, default=100, help="Articles per transaction.")

    def handle(self, *args, articles: int, seed: int | None, batch_size: int, **options):
        if articles < 0 or batch_size < 1:
            raise CommandError("--articles must not be negative, --batch-size at least 1.")
        missing = max(articles - Article.objects.published().count(), 0)
        with tqdm(total=missing, desc="Synthetic articles", unit="article") as bar:
            report = generate_articles(
                articles=articles, seed=seed, batch_size=batch_size, progress=bar.update
            )
        self.stdout.write(
            self.style.SUCCESS(f"{report.articles} articles generated in {report.seconds:.1f} s.")
        )
