import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.places.models import FederalState

from .models import Project, Readiness, Setting, TargetGroup, Topic, TransferFormat


class SortOrder:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    MOST_SITES = "sites"
    CHOICES = [(RELEVANCE, _("Relevance")), (NEWEST, _("Newest")), (MOST_SITES, _("Most sites"))]


def _through_filter(relation: str):
    """Filter by any of the chosen terms through a subquery, so no row is repeated."""
    field = Project._meta.get_field(relation)
    through = field.remote_field.through
    term_column = field.m2m_reverse_field_name()

    def method(queryset, name, value):
        if not value:
            return queryset
        project_ids = through.objects.filter(**{f"{term_column}__in": value}).values("project_id")
        return queryset.filter(pk__in=project_ids)

    return method


class CatalogFilter(django_filters.FilterSet):
    """Catalog facets. Choice facets filter columns of the project or its one home municipality,
    so they cannot repeat rows: distinct=False spares a SELECT DISTINCT over every match."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_nothing")
    topic = django_filters.ModelMultipleChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        method=_through_filter("topics"),
        widget=forms.CheckboxSelectMultiple,
    )
    target_group = django_filters.ModelMultipleChoiceFilter(
        label=_("Target group"),
        queryset=TargetGroup.objects.all(),
        to_field_name="slug",
        method=_through_filter("target_groups"),
        widget=forms.CheckboxSelectMultiple,
    )
    state = django_filters.MultipleChoiceFilter(
        label=_("Federal state"),
        field_name="municipality__state",
        choices=FederalState.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    setting = django_filters.MultipleChoiceFilter(
        label=_("Rural or urban"),
        choices=Setting.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    format = django_filters.ModelMultipleChoiceFilter(
        label=_("Transfer format"),
        queryset=TransferFormat.objects.all(),
        to_field_name="code",
        method=_through_filter("transfer_formats"),
        widget=forms.CheckboxSelectMultiple,
    )
    readiness = django_filters.MultipleChoiceFilter(
        label=_("Transfer readiness"),
        choices=Readiness.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SortOrder.CHOICES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Project
        fields = []

    def filter_nothing(self, queryset, name, value):
        """Search and sorting are applied by the selector, after the facets."""
        return queryset
