from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Topic
from apps.places.forms import MunicipalityField
from apps.places.models import FederalState

from .selectors import SpreadFilters

MIN_SITES_DEFAULT = 3
MIN_SITES_MAX = 1000
RADIUS_DEFAULT_KM = 25
# Beyond 100 km "nearby" stops meaning anything, and the box of sites to check grows large.
RADIUS_MAX_KM = 100


class SpreadFilterForm(forms.Form):
    """Narrows the platform figures; a value it does not know is ignored, never an error page."""

    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
        error_messages={"invalid_choice": _("We do not know this topic; showing all topics.")},
    )
    state = forms.ChoiceField(
        label=_("Federal state"),
        choices=[("", _("All federal states")), *FederalState.choices],
        required=False,
        help_text=_("Counts only the sites in this state."),
        error_messages={
            "invalid_choice": _("We do not know this federal state; showing all states.")
        },
    )

    def filters(self) -> SpreadFilters:
        """The valid filters only (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        return SpreadFilters(topic=data.get("topic"), state=data.get("state") or "")


class WholeNumberOrDefault(forms.IntegerField):
    """An optional whole number from 1 to max_value; left empty, it is the default (also shown
    as the field's initial value)."""

    def __init__(self, *, default: int, max_value: int, **kwargs):
        super().__init__(
            required=False, initial=default, min_value=1, max_value=max_value, **kwargs
        )

    def clean(self, value) -> int:
        value = super().clean(value)
        return self.initial if value is None else value


class NotYetHereForm(forms.Form):
    municipality = MunicipalityField(
        label=_("Your municipality"),
        help_text=_("Start typing and choose from the suggestions."),
        error_messages={
            "required": _(
                "Please enter your municipality, e.g. “Hamminkeln (North Rhine-Westphalia)”."
            )
        },
    )
    min_sites = WholeNumberOrDefault(
        label=_("Proven in at least this many places"),
        help_text=_("Only projects with at least this many active sites."),
        default=MIN_SITES_DEFAULT,
        max_value=MIN_SITES_MAX,
        error_messages={
            "invalid": _("Please enter the number of places as a whole number, e.g. 3."),
            "min_value": _("Please enter at least %(limit_value)s place."),
            "max_value": _("Please enter at most %(limit_value)s places."),
        },
    )
    radius_km = WholeNumberOrDefault(
        label=_("No site within (km)"),
        help_text=_("Projects with an active site closer than this are left out."),
        default=RADIUS_DEFAULT_KM,
        max_value=RADIUS_MAX_KM,
        error_messages={
            "invalid": _("Please enter the distance in whole kilometres, e.g. 25."),
            "min_value": _("Please enter a distance of at least %(limit_value)s km."),
            "max_value": _("Please enter a distance of at most %(limit_value)s km."),
        },
    )
