from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Comment, CommentReport
from .services import BODY_MAX_LENGTH, REASON_MAX_LENGTH

LARGEST_ID = 2**63 - 1


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown is allowed. Your comment is public and shows your name."),
    )


class CommentCreateForm(CommentForm):
    """A new comment, or an answer, on the page named by the hidden fields."""

    kind = forms.ChoiceField(choices=[(kind, kind) for kind in selectors.SUBJECT_MODELS])
    subject = forms.IntegerField(min_value=1, max_value=LARGEST_ID)
    parent = forms.IntegerField(min_value=1, max_value=LARGEST_ID, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "subject", "parent"):
            self.fields[name].widget = forms.HiddenInput()
        self.subject = None
        self.parent = None

    def clean(self):
        cleaned = super().clean()
        # Broken hidden fields are not shown with the form, so they are explained here.
        if not self.has_error("kind") and not self.has_error("subject"):
            self.subject = selectors.published_subject(kind=cleaned["kind"], pk=cleaned["subject"])
        if self.subject is None:
            raise ValidationError(_("This page does not exist or cannot be commented on."))
        if self.has_error("parent"):
            raise ValidationError(_("The comment you want to answer does not exist."))
        if cleaned.get("parent"):
            self.parent = Comment.objects.filter(pk=cleaned["parent"]).first()
            if self.parent is None:
                raise ValidationError(_("The comment you want to answer does not exist."))
        return cleaned


class ReportForm(forms.ModelForm):
    class Meta:
        model = CommentReport
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the comment hidden?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author receives this reason by e-mail."),
    )
