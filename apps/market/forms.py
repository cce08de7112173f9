from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ModelChoiceField
from apps.organisations.models import Organisation
from apps.places.forms import MunicipalityField

from .models import MESSAGE_MAX_LENGTH, MessageReport, OfferComponent, RequestStatus, TransferOffer


class OfferForm(forms.ModelForm):
    components = forms.ModelMultipleChoiceField(
        label=_("What newcomers get"),
        queryset=OfferComponent.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TransferOffer
        fields = [
            "status",
            "components",
            "description",
            "conditions",
            "fee_eur",
            "people_needed",
            "budget_eur",
            "months_to_start",
            "setting",
            "min_population",
            "max_population",
            "capacity_per_year",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": _(
                "What a new site receives from you and how the start works. Markdown is allowed."
            ),
            "conditions": _("E.g. a licence agreement, a yearly fee, reporting duties."),
            "fee_eur": _("0 if taking over the project is free of charge."),
            "capacity_per_year": _(
                "How many new sites you can support this year. Requests are no longer "
                "accepted once they have all started."
            ),
        }


def _message_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown is allowed. Only you and the other side can read it, and the "
            "moderation if one of you reports a message."
        ),
    )


class InterestForm(forms.Form):
    municipality = MunicipalityField(
        label=_("Where do you want to start the project?"),
    )
    organisation = ModelChoiceField(
        label=_("Who is asking?"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("I am asking for myself"),
    )
    message = _message_field(_("Your first message"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            memberships__user=user
        ).order_by("name")


class MessageForm(forms.Form):
    body = _message_field(_("Your message"))


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=RequestStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Reason or note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(forms.ModelForm):
    class Meta:
        model = MessageReport
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class ReportDecisionForm(forms.Form):
    hide_message = forms.BooleanField(required=False)
