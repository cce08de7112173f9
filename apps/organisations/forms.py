from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import HoneypotMixin
from apps.places.forms import MunicipalityField

from .models import Membership, MembershipRequest, Organisation


class OrganisationForm(forms.ModelForm):
    municipality = MunicipalityField(label=_("Municipality"), required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "description",
            "municipality",
            "website",
            "email",
            "accepts_members",
            "membership_terms",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "membership_terms": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"description": _("Who you are and what you do. Markdown is allowed.")}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class MembershipRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation"),
        required=False,
        max_length=MembershipRequest._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: who you are and why you would like to join."),
    )
    terms_accepted = forms.BooleanField(label=_("I accept the membership terms"), required=True)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        if not organisation.membership_terms.strip():
            del self.fields["terms_accepted"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=MembershipRequest._meta.get_field("decline_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ContactForm(HoneypotMixin, forms.Form):
    field_order = ["name", "email", "subject", "message"]  # the honeypot last
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The organisation will answer you at this address."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean_subject(self) -> str:
        # An e-mail header: line breaks would be refused when the e-mail is sent.
        return " ".join(self.cleaned_data["subject"].split())

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())
