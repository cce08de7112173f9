from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.text import plain_text

from .models import Municipality
from .selectors import municipality_from_id, municipality_from_label


class MunicipalityInput(forms.TextInput):
    """A text input with suggestions: htmx fills a datalist as the person types."""

    template_name = "places/widgets/municipality_input.html"

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "hx-get": reverse_lazy("places:suggestions"),
                "hx-trigger": "input changed delay:250ms",
                "hx-sync": "this:replace",
                **(attrs or {}),
            }
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        datalist_id = f"{context['widget']['attrs'].get('id', name)}-options"
        context["widget"]["attrs"].update({"list": datalist_id, "hx-target": f"#{datalist_id}"})
        context["datalist_id"] = datalist_id
        return context

    def format_value(self, value):
        """A place by its label. An initial value may be its primary key (an int, as ModelForm
        gives it); a string is what someone typed and comes back as typed, digits included."""
        if isinstance(value, Municipality):
            return value.label
        if isinstance(value, int):
            municipality = municipality_from_id(value)
            return municipality.label if municipality else ""
        return super().format_value(value)


class MunicipalityField(forms.Field):
    """Takes 'Name (State)' or a plain name and gives the Municipality."""

    widget = MunicipalityInput
    default_error_messages = {
        "unknown": _(
            "We do not know the place “%(value)s”. Choose one of the suggestions, "
            "e.g. “Hamminkeln (North Rhine-Westphalia)”."
        )
    }

    def to_python(self, value):
        if isinstance(value, Municipality) or value in self.empty_values:
            return value or None
        value = plain_text(str(value))[:160]
        municipality = municipality_from_label(value)
        if municipality is None:
            raise forms.ValidationError(self.error_messages["unknown"], params={"value": value})
        return municipality

    def prepare_value(self, value):
        return value
