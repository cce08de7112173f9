import json
from itertools import product
from pathlib import Path
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from apps.catalog.models import Project
from apps.search import matching
from apps.search.embeddings import EMBEDDERS, get_embedder
from apps.search.evaluation import QUERIES_FILE, JudgedQuery, evaluate, load_queries, shares_no_word
from apps.search.models import ProjectEmbedding
from apps.search.selectors import MatchMethod, ranked_projects
from apps.search.services import match_index_rebuild

TEXT_WEIGHTS = (0.2, 0.4, 0.6, 0.8, 1.0, 1.5)
RRF_KS = (10, 30, 60, 100)


class Command(BaseCommand):
    help = (
        "Measure 'match my problem' on the judged queries: nDCG@10 and recall@10 for full text "
        "alone, vectors alone and hybrid. Needs the demo catalog (make eval loads it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--embedder", choices=sorted(EMBEDDERS), help="Model to measure.")
        parser.add_argument("--queries", type=Path, default=QUERIES_FILE)
        parser.add_argument("--tune", action="store_true", help="Also try other fusion weights.")
        parser.add_argument("--output", type=Path, help="Write the figures as JSON here.")

    def handle(self, *args, embedder, queries, tune, output, **options):
        judged = load_queries(queries)
        slugs = dict(Project.objects.published().values_list("pk", "slug"))
        unknown = {slug for query in judged for slug in query.relevant} - set(slugs.values())
        if unknown:
            raise CommandError(f"Judged projects missing from the catalog: {sorted(unknown)}")
        settings_override = {"MATCH_EMBEDDER": embedder} if embedder else {}
        with override_settings(**settings_override):
            self._ensure_vectors()
            report = self._measure(judged, slugs)
            if tune:
                report["tuning"] = self._tune(judged, slugs)
        if output:
            output.write_text(json.dumps(report, indent=2), encoding="utf-8")

    def _ensure_vectors(self) -> None:
        model = get_embedder().name
        if ProjectEmbedding.objects.filter(model=model).count() != Project.objects.count():
            self.stdout.write(f"Embedding the catalog with {model} …")
            match_index_rebuild()

    def _rank(self, slugs: dict[int, str], method: MatchMethod):
        def rank(text: str) -> list[str]:
            ranking, _ = ranked_projects(text, method=method, limit=50)
            return [slugs[pk] for pk, _ in ranking if pk in slugs][:10]

        return rank

    def _measure(self, judged: list[JudgedQuery], slugs: dict[int, str]) -> dict:
        titles = dict(Project.objects.values_list("slug", "title"))
        summaries = dict(Project.objects.values_list("slug", "summary"))
        no_shared_word = [
            query
            for query in judged
            if shares_no_word(
                query.query,
                [
                    f"{titles[slug]} {summaries[slug]}"
                    for slug, grade in query.relevant.items()
                    if grade == 2
                ],
            )
        ]
        model = get_embedder().name
        self.stdout.write(
            f"\n{len(judged)} judged queries ({len(no_shared_word)} share no word with the title "
            f"and summary of their best projects); model {model}\n"
        )
        self.stdout.write(f"{'method':<10} {'nDCG@10':>8} {'recall@10':>10}   no shared word:")
        report = {"model": model, "queries": len(judged), "methods": {}}
        for method in MatchMethod:
            every = evaluate(judged, self._rank(slugs, method))
            hard = evaluate(no_shared_word, self._rank(slugs, method))
            report["methods"][method.value] = {
                "ndcg@10": round(every.ndcg, 4),
                "recall@10": round(every.recall, 4),
                "no_shared_word": {
                    "ndcg@10": round(hard.ndcg, 4),
                    "recall@10": round(hard.recall, 4),
                },
            }
            self.stdout.write(
                f"{method.value:<10} {every.ndcg:>8.3f} {every.recall:>10.3f}   "
                f"nDCG {hard.ndcg:.3f} recall {hard.recall:.3f} ({hard.queries} queries)"
            )
        return report

    def _tune(self, judged: list[JudgedQuery], slugs: dict[int, str]) -> list[dict]:
        self.stdout.write("\nFusion weights (vector weight 1.0):")
        rows = []
        for text_weight, k in product(TEXT_WEIGHTS, RRF_KS):
            with (
                mock.patch.object(matching, "TEXT_WEIGHT", text_weight),
                mock.patch.object(matching, "RRF_K", k),
            ):
                scores = evaluate(judged, self._rank(slugs, MatchMethod.HYBRID))
            rows.append({"text_weight": text_weight, "k": k, "ndcg@10": round(scores.ndcg, 4)})
        for row in sorted(rows, key=lambda row: -row["ndcg@10"])[:8]:
            weight, k, score = row["text_weight"], row["k"], row["ndcg@10"]
            self.stdout.write(f"  text weight {weight:.1f}, k {k:>3}: nDCG@10 {score:.3f}")
        return rows
