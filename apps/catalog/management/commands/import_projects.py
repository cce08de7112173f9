from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from apps.catalog.imports import (
    TITLE_EXISTS,
    ImportFailed,
    ImportPlan,
    import_projects,
    read_import_file,
    validate_records,
)
from apps.organisations.models import Organisation


def summary(project_count: int, site_count: int, *, dry_run: bool) -> str:
    sites = ngettext("%(count)d site", "%(count)d sites", site_count) % {"count": site_count}
    if dry_run:
        message = ngettext(
            "Would import %(count)d project with %(sites)s; nothing was written (dry run).",
            "Would import %(count)d projects with %(sites)s; nothing was written (dry run).",
            project_count,
        )
    else:
        message = ngettext(
            "Imported %(count)d project with %(sites)s.",
            "Imported %(count)d projects with %(sites)s.",
            project_count,
        )
    return message % {"count": project_count, "sites": sites}


class Command(BaseCommand):
    help = (
        "Import projects with their sites from a JSON file (format: docs/import-format.md). "
        "All or nothing: every record is checked first, and any error imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file with the projects")
        parser.add_argument(
            "--publish", action="store_true", help="publish at once instead of awaiting review"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="make every project this existing organisation's, whatever the file says",
        )
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="skip records whose title the catalog already has instead of failing",
        )

    def handle(self, *args, **options):
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    _("There is no organisation with the slug “%(slug)s”.")
                    % {"slug": options["organisation"]}
                )
        try:
            data = read_import_file(options["file"])
        except ImportFailed as failure:
            raise CommandError(str(failure)) from None
        plan = validate_records(
            data, organisation=organisation, skip_existing=options["skip_existing"]
        )
        self.report(plan)
        if plan.errors:
            lines = [
                ngettext(
                    "The file has %(count)d error; nothing was imported:",
                    "The file has %(count)d errors; nothing was imported:",
                    len(plan.errors),
                )
                % {"count": len(plan.errors)},
                *(f"  {error}" for error in plan.errors),
            ]
            if any(error.code == TITLE_EXISTS for error in plan.errors):
                lines.append(_("Use --skip-existing to skip the projects the catalog already has."))
            raise CommandError("\n".join(lines))
        if options["dry_run"]:
            for record in plan.records:
                self.stdout.write(
                    f"  {record.title} – {record.municipality.label} "
                    + ngettext("(%(count)d site)", "(%(count)d sites)", 1 + len(record.sites))
                    % {"count": 1 + len(record.sites)}
                )
            for name in plan.new_organisations:
                self.stdout.write(_("  new organisation: %(name)s") % {"name": name})
            self.stdout.write(summary(len(plan.records), plan.site_count, dry_run=True))
            return
        with tqdm(
            total=len(plan.records),
            desc=_("Projects"),
            unit="",
            disable=None if options["verbosity"] else True,
        ) as bar:
            try:
                result = import_projects(
                    plan.records,
                    publish=options["publish"],
                    progress=lambda project: bar.update(),
                )
            except ImportFailed as failure:
                raise CommandError(_("Nothing was imported:") + "\n" + str(failure)) from None
        self.stdout.write(
            self.style.SUCCESS(summary(len(result.projects), result.site_count, dry_run=False))
        )
        if result.projects and not options["publish"]:
            self.stdout.write(_("The projects wait for review in the moderation."))

    def report(self, plan: ImportPlan) -> None:
        for notice in plan.warnings:
            self.stdout.write(self.style.WARNING(_("Note: %(notice)s") % {"notice": notice}))
        for skipped in plan.skipped:
            self.stdout.write(str(skipped))
