"""The query parameters of the list endpoints, as serializers.

They validate the parameters (an invalid value is a 400 naming the parameter) and describe them
in the OpenAPI schema. A parameter given several times (`?state=BY&state=HE`) matches any of
its values; different parameters must all match.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty

from apps.catalog.models import Readiness, Setting, Site, TransferFormat
from apps.market.models import OfferComponent
from apps.organisations.models import Organisation
from apps.places.models import FederalState

# More values than any facet has; keeps hostile requests from building huge IN lists.
MAX_VALUES = 50


def _any_of(child: serializers.Field, help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=child, required=False, max_length=MAX_VALUES, help_text=help_text
    )


def _slugs(help_text: str) -> serializers.ListField:
    return _any_of(serializers.SlugField(max_length=160), help_text)


def _choices(choices, help_text: str) -> serializers.ListField:
    return _any_of(serializers.ChoiceField(choices=choices), help_text)


class ScalarParameter:
    """A one-value query parameter that is invalid when given empty (`?limit=`), where DRF
    would treat it as left out: only an absent parameter takes the default."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)


class IntegerParameter(ScalarParameter, serializers.IntegerField):
    pass


class BooleanParameter(ScalarParameter, serializers.BooleanField):
    pass


class SearchQueryField(serializers.CharField):
    """Free text; NUL characters become spaces, as they separate words like any space."""

    def to_internal_value(self, data):
        return super().to_internal_value(data).replace("\x00", " ")


def _state_filter(help_text: str = _("Federal state of the municipality (code).")):
    return _choices(FederalState.choices, help_text)


class ProjectFilter(serializers.Serializer):
    q = SearchQueryField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text=_(
            "Full-text search in title, summary, problem and solution: all words must match, "
            "a very long query is shortened. Results are then ordered by relevance."
        ),
    )
    topic = _slugs(_("Topic slug."))
    target_group = _slugs(_("Target group slug."))
    transfer_format = _choices(TransferFormat.Code.choices, _("Transfer format code."))
    state = _state_filter(_("Federal state of the home municipality (code)."))
    setting = _choices(Setting.choices, _("Where the project is known to work."))
    readiness = _choices(Readiness.choices, _("Transfer readiness."))


class SiteFilter(serializers.Serializer):
    status = _choices(Site.Status.choices, _("Status of the site."))
    state = _state_filter()


class OrganisationFilter(serializers.Serializer):
    kind = _choices(Organisation.Kind.choices, _("Kind of organisation."))
    state = _state_filter()


class OfferFilter(serializers.Serializer):
    topic = _slugs(_("Topic slug of the project."))
    component = _choices(OfferComponent.Code.choices, _("What newcomers get."))
    setting = _choices(Setting.choices, _("Where the offer fits."))
    state = _state_filter(_("Federal state of the project's home municipality (code)."))
    has_capacity = BooleanParameter(
        required=False,
        default=None,
        help_text=_(
            "true: only offers that can still support a new site this year; false: only those "
            "that cannot."
        ),
    )


def flat_errors(errors) -> dict[str, list[str]]:
    """{parameter: [messages]}, also for a list parameter (whose errors come per index)."""
    flat: dict[str, list[str]] = {}
    for name, detail in errors.items():
        if isinstance(detail, dict):
            messages = [str(message) for messages in detail.values() for message in messages]
        else:
            messages = [str(message) for message in detail]
        flat[name] = messages
    return flat


def validated(filter_class: type[serializers.Serializer], params) -> dict:
    """The validated query parameters, or a ValidationError (400) naming each invalid one."""
    serializer = filter_class(data=params)
    if not serializer.is_valid():
        raise ValidationError(flat_errors(serializer.errors))
    return serializer.validated_data
