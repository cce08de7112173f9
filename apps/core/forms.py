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
