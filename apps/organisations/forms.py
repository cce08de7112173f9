from django import forms
from django.utils.translation import gettext_lazy as _

from apps.places.forms import MunicipalityField

from .models import Membership, Organisation


class OrganisationForm(forms.ModelForm):
    municipality = MunicipalityField(label=_("Municipality"), required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "description", "municipality", "website", "email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"description": _("Who you are and what you do. Markdown is allowed.")}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )
