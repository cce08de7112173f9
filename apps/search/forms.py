from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.places.forms import MunicipalityField

MIN_DESCRIPTION_LENGTH = 10


class MatchForm(forms.Form):
    text = forms.CharField(
        label=_("Describe your local challenge"),
        help_text=_(
            "In your own words, e.g. “The last shop in our village is closing and older people "
            "cannot get to town.”"
        ),
        min_length=MIN_DESCRIPTION_LENGTH,
        max_length=settings.MATCH_MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Please describe your challenge in a sentence or two."),
            "min_length": _(
                "Please describe your challenge in a few more words "
                "(at least %(limit_value)d characters)."
            ),
            "max_length": _(
                "Please keep the description under %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    municipality = MunicipalityField(
        label=_("Your municipality (optional)"),
        required=False,
        help_text=_("Projects that suit its size and setting rank higher; distances are shown."),
    )
