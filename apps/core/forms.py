from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class HoneypotMixin(forms.Form):
    """A field people never see; bots that fill every field give themselves away.

    The view treats such a submission as sent, so the bot learns nothing, and writes nothing."""

    website_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    honeypot_field_name = "website_url"

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix(self.honeypot_field_name)))


def add_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


_BIGGEST_ID = 2**63 - 1


def _beyond_any_id(value) -> bool:
    """A number no database id can have: it would crash the query instead of matching nothing."""
    try:
        return abs(int(str(value).strip())) > _BIGGEST_ID
    except ValueError:
        return False


class ModelChoiceField(forms.ModelChoiceField):
    """Django's field, with numbers beyond any id an invalid choice rather than a crash."""

    def to_python(self, value):
        if value not in self.empty_values and _beyond_any_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, with numbers beyond any id an invalid choice rather than a crash."""

    def _check_values(self, value):
        for item in value or ():
            if _beyond_any_id(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:30]},
                )
        return super()._check_values(value)
