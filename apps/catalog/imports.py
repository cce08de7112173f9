"""Importing projects with their sites from a JSON file, all or nothing.

`validate_records` checks every record and resolves what it names (topics, places, the
organisation) without writing anything, so that all problems of a file are reported at once.
`import_projects` then writes the validated records through the catalog services inside one
transaction, which keeps the search index and the site counts right. The management command
`import_projects` uses both; a web upload can use them the same way. The format is described in
docs/import-format.md.
"""

import datetime
import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_create
from apps.places.models import Municipality
from apps.places.selectors import AGS, municipality_candidates, municipality_from_ags

from . import services
from .forms import EARLIEST_YEAR
from .models import (
    Licence,
    Project,
    Readiness,
    Setting,
    Site,
    TargetGroup,
    Topic,
    TransferFormat,
)

RECORD_FIELDS = {
    "title",
    "summary",
    "problem",
    "solution",
    "impact",
    "topics",
    "target_groups",
    "municipality",
    "rural",
    "setting",
    "transfer_formats",
    "founded_year",
    "readiness",
    "licence",
    "contact_name",
    "contact_email",
    "website",
    "organisation",
    "sites",
}
SITE_FIELDS = {
    "municipality",
    "operator",
    "started",
    "status",
    "ended",
    "copied_from",
    "adaptation",
}
ORGANISATION_FIELDS = {"name", "kind"}
DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
# Markdown is stored exactly as given (it is sanitised when rendered); other text is trimmed.
MARKDOWN_FIELDS = {"problem", "solution", "impact"}
TITLE_IN_MESSAGES = 60
TITLE_EXISTS = "title_exists"


@dataclass(frozen=True)
class RecordError:
    """One problem of an import file; `record` counts from 1, None for the file as a whole."""

    message: str
    record: int | None = None
    title: str = ""
    field: str = ""
    # "title_exists" marks the one problem that --skip-existing (or its like) can get around.
    code: str = ""

    def __str__(self) -> str:
        where = ""
        if self.record is not None:
            if self.title:
                where = _('Record %(number)d ("%(title)s")') % {
                    "number": self.record,
                    "title": _shorten(self.title),
                }
            else:
                where = _("Record %(number)d") % {"number": self.record}
        parts = [part for part in (where, self.field) if part]
        return ": ".join([*parts, self.message])


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RecordError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class SiteRecord:
    """A replication of a project; `copied_from` indexes an earlier site, None is the origin."""

    municipality: Municipality
    operator_name: str = ""
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    status: str = Site.Status.ACTIVE
    copied_from: int | None = None
    adaptation_notes: str = ""


@dataclass
class NewOrganisation:
    """An organisation the import will create (once per name, however many records name it)."""

    name: str
    kind: str
    municipality: Municipality


@dataclass
class ProjectRecord:
    number: int
    title: str
    fields: dict
    municipality: Municipality
    topics: list[Topic]
    target_groups: list[TargetGroup]
    transfer_formats: list[TransferFormat]
    organisation: Organisation | NewOrganisation
    sites: list[SiteRecord] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What validating a file found: the records to write, the ones skipped, the problems."""

    records: list[ProjectRecord] = field(default_factory=list)
    skipped: list[RecordError] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordError] = field(default_factory=list)

    @property
    def site_count(self) -> int:
        """Every site the import creates, the projects' origins included."""
        return sum(1 + len(record.sites) for record in self.records)

    @property
    def new_organisations(self) -> list[str]:
        names: dict[str, str] = {}
        for record in self.records:
            if isinstance(record.organisation, NewOrganisation):
                names.setdefault(record.organisation.name.casefold(), record.organisation.name)
        return list(names.values())


@dataclass
class ImportResult:
    projects: list[Project]
    site_count: int


# Reading the file


def parse_import_file(content: bytes | str) -> object:
    """The JSON document of an import file; raises ImportFailed if it is no valid JSON."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed([RecordError(_("The file is not UTF-8 encoded text."))]) from None
    try:
        return json.loads(content)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            [
                RecordError(
                    _("The file is not valid JSON (line %(line)d, column %(column)d: %(problem)s).")
                    % {"line": error.lineno, "column": error.colno, "problem": error.msg}
                )
            ]
        ) from None


def read_import_file(path: str | Path) -> object:
    path = Path(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(
            [RecordError(_("There is no file %(path)s.") % {"path": path})]
        ) from None
    except OSError as error:
        raise ImportFailed(
            [
                RecordError(
                    _("The file %(path)s cannot be read: %(problem)s.")
                    % {"path": path, "problem": error.strerror}
                )
            ]
        ) from None
    return parse_import_file(content)


# Validating


def validate_records(
    data: object, *, organisation: Organisation | None = None, skip_existing: bool = False
) -> ImportPlan:
    """Check every record of an import document and resolve what it names; writes nothing.

    `data` is a list of project records or an object with such a list under "projects".
    `organisation` makes every project that organisation's, whatever the records say.
    With `skip_existing`, records whose title the catalog already has are skipped instead of
    being errors.
    """
    plan = ImportPlan()
    if isinstance(data, dict) and "projects" in data:
        data = data["projects"]
    if not isinstance(data, list):
        plan.errors.append(
            RecordError(
                _('The file must hold a list of projects or an object with a "projects" list.')
            )
        )
        return plan
    if not data:
        plan.errors.append(RecordError(_("The file holds no projects.")))
        return plan
    validator = _Validator(organisation=organisation)
    existing = _existing_titles(
        record["title"]
        for record in data
        if isinstance(record, dict) and isinstance(record.get("title"), str)
    )
    first_number_of_title: dict[str, int] = {}
    for number, record in enumerate(data, start=1):
        title = record.get("title") if isinstance(record, dict) else None
        title = title.strip() if isinstance(title, str) else ""
        report = _Reporter(plan, number, title)
        if not isinstance(record, dict):
            report.error("", _("must be an object, not %(type)s.") % {"type": _json_type(record)})
            continue
        key = _title_key(title)
        if key and key in first_number_of_title:
            report.error(
                "title",
                _("record %(number)d already has this title; titles must be unique.")
                % {"number": first_number_of_title[key]},
            )
        elif key:
            first_number_of_title[key] = number
        if key and key in existing:
            if skip_existing:
                plan.skipped.append(
                    RecordError(
                        _("skipped, the catalog already has a project with this title."),
                        number,
                        title,
                    )
                )
                continue
            report.error(
                "title",
                _("the catalog already has a project with this title."),
                code=TITLE_EXISTS,
            )
        validated = validator.record(record, number, report)
        if validated is not None and not report.failed:
            plan.records.append(validated)
    if plan.errors:
        plan.records = []
    return plan


def _existing_titles(titles: Iterable[str]) -> set[str]:
    keys = {_title_key(title) for title in titles} - {""}
    found: set[str] = set()
    wanted = sorted(keys)
    # A few hundred conditions per query stay below every database's limits.
    for start in range(0, len(wanted), 200):
        condition = Q()
        for key in wanted[start : start + 200]:
            condition |= Q(title__iexact=key)
        found.update(
            _title_key(title)
            for title in Project.objects.filter(condition).values_list("title", flat=True)
        )
    return found & keys


def _title_key(title: str) -> str:
    # lower(), not casefold(): the database compares "ß" as "ß", not as "ss".
    return " ".join(title.split()).lower()


def _shorten(text: str) -> str:
    if len(text) <= TITLE_IN_MESSAGES:
        return text
    return text[: TITLE_IN_MESSAGES - 1].rstrip() + "…"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    return _("an object")


class _Reporter:
    """Collects the problems of one record."""

    def __init__(self, plan: ImportPlan, number: int, title: str):
        self.plan, self.number, self.title = plan, number, title
        self.failed = False

    def error(self, field_name: str, message: str, *, code: str = "") -> None:
        self.failed = True
        self.plan.errors.append(RecordError(message, self.number, self.title, field_name, code))

    def warning(self, field_name: str, message: str) -> None:
        self.plan.warnings.append(RecordError(message, self.number, self.title, field_name))


class _Terms:
    """A vocabulary (topics, target groups) by slug, German and English name, any case."""

    def __init__(self, model: type[Topic] | type[TargetGroup]):
        self.by_key: dict[str, Topic | TargetGroup] = {}
        for term in model.objects.all():
            for key in (term.slug, term.name, term.name_en):
                if key:
                    self.by_key.setdefault(key.casefold(), term)

    def get(self, value: str) -> Topic | TargetGroup | None:
        return self.by_key.get(value.strip().casefold())

    def suggestion(self, value: str) -> str:
        close = difflib.get_close_matches(value.strip().casefold(), self.by_key, n=1, cutoff=0.75)
        if not close:
            return ""
        term = self.by_key[close[0]]
        return _(" Did you mean “%(name)s” (%(slug)s)?") % {"name": term.name, "slug": term.slug}


class _Validator:
    """Validates records one by one, remembering what it has looked up."""

    def __init__(self, *, organisation: Organisation | None):
        self.forced_organisation = organisation
        self.topics = _Terms(Topic)
        self.target_groups = _Terms(TargetGroup)
        self.transfer_formats = {tf.code: tf for tf in TransferFormat.objects.all()}
        self.places: dict[str, tuple[Municipality | None, str, str]] = {}
        self.organisations: dict[str, tuple[Organisation | None, str]] = {}

    def record(self, data: dict, number: int, report: _Reporter) -> ProjectRecord | None:
        for name in sorted(set(data) - RECORD_FIELDS):
            report.error(name, _("unknown field (see docs/import-format.md)."))
        fields = {
            "title": self.text(data, "title", report, required=True),
            "summary": self.text(data, "summary", report, required=True),
            "problem": self.text(data, "problem", report, required=True),
            "solution": self.text(data, "solution", report, required=True),
            "impact": self.text(data, "impact", report),
            "founded_year": self.founded_year(data, report),
            "setting": self.setting(data, report),
            "readiness": self.choice(data, "readiness", Readiness, Readiness.READY, report),
            "licence": self.choice(data, "licence", Licence, Licence.CC_BY_SA, report),
            "contact_name": self.text(data, "contact_name", report),
            "contact_email": self.checked(data, "contact_email", validate_email, report),
            "website": self.checked(data, "website", URLValidator(), report),
        }
        topics = self.terms(
            data,
            "topics",
            self.topics,
            report,
            missing=_("give at least one topic."),
            unknown=_("unknown topic “%(value)s”."),
        )
        target_groups = self.terms(
            data,
            "target_groups",
            self.target_groups,
            report,
            missing=_("give at least one target group."),
            unknown=_("unknown target group “%(value)s”."),
        )
        transfer_formats = self.formats(data, report)
        municipality = self.place(data.get("municipality"), "municipality", report)
        organisation = self.organisation(data, municipality, report)
        sites = self.sites(data, municipality, report)
        if report.failed:
            return None
        return ProjectRecord(
            number=number,
            title=fields["title"],
            fields=fields,
            municipality=municipality,
            topics=topics,
            target_groups=target_groups,
            transfer_formats=transfer_formats,
            organisation=organisation,
            sites=sites,
        )

    # Plain values

    def text(
        self,
        data: dict,
        name: str,
        report: _Reporter,
        *,
        required: bool = False,
        model: type[Project] | type[Site] | type[Organisation] = Project,
        model_field: str | None = None,
        field_label: str | None = None,
    ) -> str:
        label = field_label or name
        value = data.get(name)
        if value is None:
            if required:
                report.error(label, _("this field is required."))
            return ""
        if not isinstance(value, str):
            report.error(label, _("must be text, not %(type)s.") % {"type": _json_type(value)})
            return ""
        if name not in MARKDOWN_FIELDS:
            value = value.strip()
        if required and not value.strip():
            report.error(label, _("this field is required and must not be empty."))
            return ""
        max_length = model._meta.get_field(model_field or name).max_length
        if max_length and len(value) > max_length:
            report.error(
                label,
                _("is %(length)d characters long; at most %(max)d are allowed.")
                % {"length": len(value), "max": max_length},
            )
        return value

    def checked(
        self, data: dict, name: str, validator: Callable[[str], None], report: _Reporter
    ) -> str:
        value = self.text(data, name, report)
        if value:
            try:
                validator(value)
            except ValidationError as error:
                report.error(name, " ".join(error.messages))
        return value

    def choice(self, data: dict, name: str, choices: type, default: str, report: _Reporter) -> str:
        value = data.get(name)
        if value is None:
            return default
        if value not in choices.values:
            report.error(name, _allowed(value, choices.values))
            return default
        return value

    def founded_year(self, data: dict, report: _Reporter) -> int | None:
        value = data.get("founded_year")
        if value is None:
            report.error("founded_year", _("this field is required."))
            return None
        this_year = datetime.date.today().year
        if isinstance(value, bool) or not isinstance(value, int):
            report.error(
                "founded_year",
                _("must be a year as a whole number like 2015, not %(value)s.")
                % {"value": json.dumps(value, ensure_ascii=False)},
            )
            return None
        if not EARLIEST_YEAR <= value <= this_year:
            report.error(
                "founded_year",
                _("%(value)d is not a year between %(first)d and %(last)d.")
                % {"value": value, "first": EARLIEST_YEAR, "last": this_year},
            )
            return None
        return value

    def setting(self, data: dict, report: _Reporter) -> str:
        rural, setting = data.get("rural"), data.get("setting")
        if rural is not None and setting is not None:
            report.error("rural", _('give either "rural" or "setting", not both.'))
            return Setting.BOTH
        if rural is not None:
            if not isinstance(rural, bool):
                report.error("rural", _("must be true or false."))
                return Setting.BOTH
            return Setting.RURAL if rural else Setting.URBAN
        if setting is not None:
            return self.choice(data, "setting", Setting, Setting.BOTH, report)
        return Setting.BOTH

    def date(self, data: dict, name: str, label: str, report: _Reporter) -> datetime.date | None:
        value = data.get(name)
        if value is None:
            return None
        match = DATE.match(value) if isinstance(value, str) else None
        if match:
            try:
                day = datetime.date(
                    int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
                )
            except ValueError:
                day = None
            if day is not None and day.year >= EARLIEST_YEAR:
                return day
        report.error(
            label,
            _('%(value)s is not a date like "2015", "2015-04" or "2015-04-30" after 1900.')
            % {"value": json.dumps(value, ensure_ascii=False)},
        )
        return None

    # Vocabulary

    def terms(
        self, data: dict, name: str, terms: _Terms, report: _Reporter, *, missing: str, unknown: str
    ) -> list:
        values = data.get(name)
        if values is None or values == []:
            report.error(name, missing)
            return []
        if not _is_list_of_text(values):
            report.error(name, _("must be a list of texts."))
            return []
        found = []
        for value in values:
            term = terms.get(value)
            if term is None:
                report.error(
                    name,
                    unknown % {"value": value} + terms.suggestion(value),
                )
            elif term not in found:
                found.append(term)
        return found

    def formats(self, data: dict, report: _Reporter) -> list[TransferFormat]:
        values = data.get("transfer_formats")
        if values is None:
            return []
        if not _is_list_of_text(values):
            report.error("transfer_formats", _("must be a list of texts."))
            return []
        found = []
        for value in values:
            if value not in self.transfer_formats:
                report.error("transfer_formats", _allowed(value, TransferFormat.Code.values))
            elif self.transfer_formats[value] not in found:
                found.append(self.transfer_formats[value])
        return found

    # Places and organisations

    def place(self, value: object, label: str, report: _Reporter) -> Municipality | None:
        """Resolve an 8-digit AGS, a label "Name (State)" or a plain name to one place."""
        if value is None:
            report.error(label, _("this field is required."))
            return None
        if not isinstance(value, str) or not value.strip():
            report.error(
                label,
                _("must be the name, label or 8-digit official key of a municipality."),
            )
            return None
        key = value.strip()
        if key not in self.places:
            self.places[key] = self._lookup_place(key)
        municipality, error, warning = self.places[key]
        if error:
            report.error(label, error)
        if warning:
            report.warning(label, warning)
        return municipality

    def _lookup_place(self, value: str) -> tuple[Municipality | None, str, str]:
        if AGS.match(value):
            municipality = municipality_from_ags(value)
            if municipality is None:
                return (
                    None,
                    _(
                        "no municipality has the official key %(ags)s (keys are only known "
                        "where they were entered; use the name instead)."
                    )
                    % {"ags": value},
                    "",
                )
            return municipality, "", ""
        candidates = list(municipality_candidates(value)[:20])
        if not candidates:
            return None, _("no municipality named “%(value)s”.") % {"value": value}, ""
        if len({place.state for place in candidates}) > 1:
            labels = list(dict.fromkeys(place.label for place in candidates))
            return (
                None,
                _("“%(value)s” is ambiguous; write one of: %(labels)s.")
                % {"value": value, "labels": "; ".join(labels)},
                "",
            )
        chosen = candidates[0]
        if len(candidates) > 1:
            # As everywhere on Transferhub, a label shared within a state means the largest.
            return (
                chosen,
                "",
                _(
                    "%(count)d places in %(state)s are called “%(value)s”; took the largest "
                    "(%(population)s inhabitants). Give its official key to pick another."
                )
                % {
                    "count": len(candidates),
                    "state": chosen.get_state_display(),
                    "value": chosen.name,
                    "population": f"{chosen.population:,}",
                },
            )
        return chosen, "", ""

    def organisation(
        self, data: dict, municipality: Municipality | None, report: _Reporter
    ) -> Organisation | NewOrganisation | None:
        if self.forced_organisation is not None:
            return self.forced_organisation
        value = data.get("organisation")
        if isinstance(value, dict):
            for name in sorted(set(value) - ORGANISATION_FIELDS):
                report.error(f"organisation.{name}", _("unknown field."))
            kind = value.get("kind", Organisation.Kind.ASSOCIATION)
            if kind not in Organisation.Kind.values:
                report.error("organisation.kind", _allowed(kind, Organisation.Kind.values))
            name = self.text(
                value,
                "name",
                report,
                required=True,
                model=Organisation,
                field_label="organisation.name",
            )
        elif value is None or isinstance(value, str):
            kind = Organisation.Kind.ASSOCIATION
            name = self.text(
                data, "organisation", report, required=True, model=Organisation, model_field="name"
            )
        else:
            report.error(
                "organisation",
                _("must be the organisation's name, not %(type)s.") % {"type": _json_type(value)},
            )
            return None
        if not name:
            return None
        existing, error = self._lookup_organisation(name)
        if error:
            report.error("organisation", error)
            return None
        if existing is not None:
            return existing
        if municipality is None:
            return None
        return NewOrganisation(name=name, kind=kind, municipality=municipality)

    def _lookup_organisation(self, name: str) -> tuple[Organisation | None, str]:
        key = name.casefold()
        if key not in self.organisations:
            matches = list(Organisation.objects.filter(name__iexact=name).order_by("pk")[:5])
            if len(matches) > 1:
                self.organisations[key] = (
                    None,
                    _(
                        "several organisations are called “%(name)s” (%(slugs)s); choose one "
                        "with --organisation."
                    )
                    % {"name": name, "slugs": ", ".join(match.slug for match in matches)},
                )
            else:
                self.organisations[key] = (matches[0] if matches else None, "")
        return self.organisations[key]

    # Sites

    def sites(self, data: dict, origin: Municipality | None, report: _Reporter) -> list[SiteRecord]:
        values = data.get("sites")
        if values is None:
            return []
        if not isinstance(values, list):
            report.error("sites", _("must be a list of sites."))
            return []
        sites: list[SiteRecord | None] = []
        for position, value in enumerate(values, start=1):
            sites.append(self.site(value, position, sites, origin, report))
        return [site for site in sites if site is not None]

    def site(
        self,
        data: object,
        position: int,
        earlier: list[SiteRecord | None],
        origin: Municipality | None,
        report: _Reporter,
    ) -> SiteRecord | None:
        prefix = _("site %(number)d") % {"number": position}

        def label(name: str) -> str:
            return f"{prefix}, {name}"

        if not isinstance(data, dict):
            report.error(prefix, _("must be an object, not %(type)s.") % {"type": _json_type(data)})
            return None
        errors_before = len(report.plan.errors)
        for name in sorted(set(data) - SITE_FIELDS):
            report.error(label(name), _("unknown field (see docs/import-format.md)."))
        municipality = self.place(data.get("municipality"), label("municipality"), report)
        operator = self.text(
            data,
            "operator",
            report,
            model=Site,
            model_field="operator_name",
            field_label=label("operator"),
        )
        adaptation = self.text(
            data,
            "adaptation",
            report,
            model=Site,
            model_field="adaptation_notes",
            field_label=label("adaptation"),
        )
        status = data.get("status", Site.Status.ACTIVE)
        if status not in Site.Status.values:
            report.error(label("status"), _allowed(status, Site.Status.values))
        started = self.date(data, "started", label("started"), report)
        ended = self.date(data, "ended", label("ended"), report)
        if started and ended and ended < started:
            report.error(label("ended"), _("a site cannot end before it started."))
        if status == Site.Status.ENDED and data.get("ended") is None:
            report.error(label("ended"), _('give the end date of a site with status "ended".'))
        copied_from = self.copied_from(data, earlier, origin, label("copied_from"), report)
        if len(report.plan.errors) > errors_before or municipality is None:
            return None
        return SiteRecord(
            municipality=municipality,
            operator_name=operator,
            started_on=started,
            ended_on=ended,
            status=status,
            copied_from=copied_from,
            adaptation_notes=adaptation,
        )

    def copied_from(
        self,
        data: dict,
        earlier: list[SiteRecord | None],
        origin: Municipality | None,
        label: str,
        report: _Reporter,
    ) -> int | None:
        """The index of the earlier site this one copied, None for the origin."""
        value = data.get("copied_from")
        if value is None:
            return None
        place = self.place(value, label, report)
        if place is None:
            return None
        matches = [
            index
            for index, site in enumerate(earlier)
            if site is not None and site.municipality.pk == place.pk
        ]
        if len(matches) > 1:
            report.error(
                label,
                _("several earlier sites are in %(place)s; it is unclear which one was copied.")
                % {"place": place.label},
            )
            return None
        if matches:
            if origin is not None and origin.pk == place.pk:
                report.error(
                    label,
                    _("both the origin and an earlier site are in %(place)s.")
                    % {"place": place.label},
                )
            return matches[0]
        if origin is not None and origin.pk == place.pk:
            return None
        report.error(
            label,
            _(
                "no earlier site of this project is in %(place)s; name the municipality of the "
                "origin or of a site listed before this one, or null for the origin."
            )
            % {"place": place.label},
        )
        return None


def _is_list_of_text(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _allowed(value: object, allowed: Iterable[str]) -> str:
    return _("%(value)s is not allowed; use one of %(allowed)s.") % {
        "value": json.dumps(value, ensure_ascii=False),
        "allowed": ", ".join(f'"{choice}"' for choice in allowed),
    }


# Writing


@transaction.atomic
def import_projects(
    records: list[ProjectRecord],
    *,
    publish: bool = False,
    moderator: User | None = None,
    progress: Callable[[Project], None] | None = None,
) -> ImportResult:
    """Write validated records through the catalog services, all or nothing.

    New projects wait for moderation unless `publish` is set. Raises ImportFailed (and writes
    nothing) if the catalog changed since validation or a service refuses a record.
    """
    taken = _existing_titles(record.title for record in records)
    conflicts = [
        RecordError(
            _("the catalog already has a project with this title."),
            record.number,
            record.title,
            "title",
            TITLE_EXISTS,
        )
        for record in records
        if _title_key(record.title) in taken
    ]
    if conflicts:
        raise ImportFailed(conflicts)
    created_organisations: dict[str, Organisation] = {}
    projects, site_count = [], 0
    for record in records:
        try:
            project = _import_record(record, created_organisations, publish, moderator)
        except ValidationError as error:
            raise ImportFailed(
                [RecordError(" ".join(error.messages), record.number, record.title)]
            ) from error
        projects.append(project)
        site_count += 1 + len(record.sites)
        if progress is not None:
            progress(project)
    return ImportResult(projects=projects, site_count=site_count)


def _import_record(
    record: ProjectRecord,
    created_organisations: dict[str, Organisation],
    publish: bool,
    moderator: User | None,
) -> Project:
    organisation = record.organisation
    if isinstance(organisation, NewOrganisation):
        key = organisation.name.casefold()
        if key not in created_organisations:
            created_organisations[key] = organisation_create(
                creator=None,
                name=organisation.name,
                kind=organisation.kind,
                municipality=organisation.municipality,
            )
        organisation = created_organisations[key]
    project = services.project_create(
        organisation=organisation,
        created_by=None,
        topics=record.topics,
        target_groups=record.target_groups,
        transfer_formats=record.transfer_formats,
        municipality=record.municipality,
        **record.fields,
    )
    origin = project.sites.get(is_origin=True)
    sites: list[Site] = []
    for site in record.sites:
        sites.append(
            services.site_create(
                project=project,
                municipality=site.municipality,
                operator_name=site.operator_name,
                started_on=site.started_on,
                ended_on=site.ended_on,
                status=site.status,
                copied_from=origin if site.copied_from is None else sites[site.copied_from],
                adaptation_notes=site.adaptation_notes,
            )
        )
    if publish:
        project = services.project_approve(project=project, moderator=moderator)
    return project
