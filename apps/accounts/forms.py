from allauth.account.adapter import get_adapter
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User


class AccountDeleteForm(forms.Form):
    """The person confirms with their password, or, for an account without one, by typing
    its e-mail address.

    The password goes through allauth's authentication, so failed attempts count against the
    same limit as failed logins."""

    def __init__(self, *args, user: User, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["email"] = forms.CharField(
                label=_("Your e-mail address"),
                help_text=_("Type the address you log in with, to confirm."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        adapter = get_adapter(self.request)
        authenticated = adapter.authenticate(self.request, email=self.user.email, password=password)
        if authenticated is None or authenticated.pk != self.user.pk:
            raise adapter.validation_error("incorrect_password")
        return password

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."))
        return email
