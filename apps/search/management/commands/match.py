import json

from django.core.management.base import BaseCommand, CommandError

from apps.search.forms import MatchForm
from apps.search.selectors import match_projects


class Command(BaseCommand):
    help = 'Rank proven projects for a description of a local problem: match "TEXT".'

    def add_arguments(self, parser):
        parser.add_argument("text", help="The problem, in plain German or English.")
        parser.add_argument("--municipality", help='e.g. "Brünen" or "Neustadt (Hessen)".')
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")

    def handle(self, *args, text, municipality, limit, json: bool, **options):
        form = MatchForm({"text": text, "municipality": municipality or ""})
        if not form.is_valid():
            raise CommandError(
                " ".join(str(error) for errors in form.errors.values() for error in errors)
            )
        result = match_projects(
            text=form.cleaned_data["text"],
            municipality=form.cleaned_data["municipality"],
            limit=max(1, min(limit, 50)),
        )
        if json:
            self.stdout.write(self._json(result))
        else:
            self._print(result)

    @staticmethod
    def _json(result) -> str:
        return json.dumps(
            {
                "text": result.text,
                "municipality": result.municipality.label if result.municipality else None,
                "matches": [
                    {
                        "rank": rank,
                        "slug": match.project.slug,
                        "title": match.project.title,
                        "score": round(match.score, 5),
                        "passage": match.passage,
                        "sites": match.site_count,
                        "same_setting": match.fit.same_setting if match.fit else None,
                        "nearest_site": match.nearest_site or None,
                        "distance_km": match.distance_km,
                    }
                    for rank, match in enumerate(result.matches, start=1)
                ],
            },
            ensure_ascii=False,
            indent=2,
        )

    def _print(self, result) -> None:
        if not result.matches:
            self.stdout.write("No matching project.")
        for rank, match in enumerate(result.matches, start=1):
            self.stdout.write(self.style.SUCCESS(f"{rank:2}. {match.project.title}"))
            details = [f"{match.site_count} sites"]
            if match.nearest_site:
                details.append(f"nearest: {match.nearest_site}, {match.distance_km} km")
            if match.fit:
                details.append("same setting" if match.fit.same_setting else "other setting")
            self.stdout.write(f"    {' · '.join(details)}")
            if match.passage:
                self.stdout.write(f"    „{match.passage}“")
