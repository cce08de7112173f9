import re

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Project, Site, Topic

from .models import Article, EditProposal

_PROJECT_PATH = re.compile(r"/projekte/([\w-]+)/?")


class ProjectLinksField(forms.CharField):
    """Project pages pasted one per line (address or slug) to the projects they show."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        text = super().to_python(value) or ""
        slugs = []
        for line in text.replace("\x00", "").splitlines():
            line = line.strip()
            if not line:
                continue
            match = _PROJECT_PATH.search(line)
            slugs.append(match.group(1) if match else line.strip("/"))
        projects = {p.slug: p for p in Project.objects.published().filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in projects]
        if unknown:
            raise forms.ValidationError(
                _(
                    "We do not know these projects: %(names)s. "
                    "Paste the address of the project page."
                )
                % {"names": ", ".join(unknown[:5])}
            )
        return [projects[slug] for slug in dict.fromkeys(slugs)]

    def prepare_value(self, value):
        if isinstance(value, list | tuple) and value and hasattr(value[0], "slug"):
            return "\n".join(project.get_absolute_url() for project in value)
        return value


class ArticleForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas, e.g. Ehrenamt, Förderung, Versicherung."),
    )
    project_links = ProjectLinksField(
        label=_("Projects this article is about"),
        required=False,
        help_text=_("For experience reports: the address of each project page, one per line."),
    )
    site_places = forms.CharField(
        label=_("Sites this report is about"),
        required=False,
        max_length=400,
        help_text=_(
            "The municipalities of the project's sites you write about, separated by commas, "
            "e.g. Wesel, Hamminkeln."
        ),
    )
    comment = forms.CharField(
        label=_("What did you change?"),
        required=False,
        max_length=100,
        help_text=_("Shown in the article's history."),
    )

    class Meta:
        model = Article
        fields = ["kind", "title", "summary", "body", "topics", "licence"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }
        help_texts = {
            "body": _(
                "Markdown: ### for headings, - for lists, [text](address) for links, and "
                "uploaded images. HTML is shown as text."
            ),
            "licence": _(
                "Others may copy and adapt the text under this licence, naming you as author."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        projects = cleaned.get("project_links") or []
        names = [n.strip() for n in cleaned.get("site_places", "").split(",") if n.strip()]
        sites = list(
            Site.objects.filter(project__in=projects, municipality__name__in=names)
            .select_related("municipality")
            .order_by("pk")
        )
        unknown = sorted(set(names) - {site.municipality.name for site in sites})
        if unknown:
            self.add_error(
                "site_places",
                _("None of the projects above runs in %(names)s.") % {"names": ", ".join(unknown)},
            )
        cleaned["sites"] = sites
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
            self.fields["project_links"].initial = list(self.instance.projects.all())
            self.fields["site_places"].initial = ", ".join(
                site.municipality.name for site in self.instance.sites.all()
            )
        else:
            del self.fields["comment"]


class ProposalForm(forms.ModelForm):
    class Meta:
        model = EditProposal
        fields = ["title", "summary", "body", "comment"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the person who proposed it"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"), help_text=_("JPEG, PNG or WebP, at most 5 MB. Wide images are shrunk.")
    )
    alt = forms.CharField(
        label=_("What the image shows"),
        max_length=150,
        help_text=_("For people who cannot see it."),
    )


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=60_000)
