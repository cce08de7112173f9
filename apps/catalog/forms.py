import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ModelChoiceField, ModelMultipleChoiceField
from apps.organisations.models import Organisation
from apps.places.forms import MunicipalityField

from .models import Project, Site, TargetGroup, Topic, TransferFormat

# The earliest founding year a project may give (the import takes the same bound).
EARLIEST_YEAR = 1900


class ProjectForm(forms.ModelForm):
    municipality = MunicipalityField(label=_("Home municipality"))
    topics = ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    target_groups = ModelMultipleChoiceField(
        label=_("Target groups"),
        queryset=TargetGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    transfer_formats = ModelMultipleChoiceField(
        label=_("Transfer formats offered"),
        queryset=TransferFormat.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "problem",
            "solution",
            "impact",
            "topics",
            "target_groups",
            "municipality",
            "founded_year",
            "setting",
            "readiness",
            "transfer_formats",
            "licence",
            "contact_name",
            "contact_email",
            "website",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "problem": forms.Textarea(attrs={"rows": 6}),
            "solution": forms.Textarea(attrs={"rows": 6}),
            "impact": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "summary": _("One or two sentences for the catalog list."),
            "problem": _("Which local problem does the project answer? Markdown is allowed."),
            "solution": _("What does the project do, and how? Markdown is allowed."),
            "impact": _("What has changed, and how do you know? Figures, evaluations, voices."),
        }

    def clean_founded_year(self):
        year = self.cleaned_data["founded_year"]
        if not EARLIEST_YEAR <= year <= datetime.date.today().year:
            raise forms.ValidationError(_("Enter a founding year between 1900 and this year."))
        return year


class SiteForm(forms.ModelForm):
    municipality = MunicipalityField(label=_("Municipality"))

    class Meta:
        model = Site
        fields = [
            "municipality",
            "organisation",
            "operator_name",
            "status",
            "started_on",
            "ended_on",
            "copied_from",
            "adaptation_notes",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
            "adaptation_notes": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"organisation": ModelChoiceField, "copied_from": ModelChoiceField}

    def __init__(self, *args, project: Project, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(
            Q(memberships__user=user)
            | Q(pk=project.organisation_id)
            | Q(pk=self.instance.organisation_id)
        ).distinct()
        self.fields["organisation"].queryset = organisations
        self.fields["copied_from"].queryset = project.sites.select_related("municipality").exclude(
            pk=self.instance.pk
        )
        self.fields["copied_from"].label_from_instance = lambda site: site.municipality.label
        self.fields["organisation"].required = False

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("A site cannot end before it started."))
        if cleaned.get("status") == Site.Status.ENDED and not ended:
            self.add_error("ended_on", _("Tell us when the site ended."))
        return cleaned


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the project team"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
