import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.filters import CatalogFilter

from .models import OfferComponent, RequestStatus


class MarketSort:
    NEWEST = "newest"
    CAPACITY = "capacity"
    EFFORT = "effort"
    CHOICES = [
        (NEWEST, _("Newest")),
        (CAPACITY, _("Most capacity left")),
        (EFFORT, _("Least effort")),
    ]


class MarketFilter(CatalogFilter):
    """The catalog's facets on the offers' projects, plus what the offers themselves give.

    The offer facets are applied by the selector, on the offers, after the project facets."""

    component = django_filters.ModelMultipleChoiceFilter(
        label=_("Newcomers get"),
        queryset=OfferComponent.objects.all(),
        to_field_name="code",
        method="filter_nothing",
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = django_filters.BooleanFilter(
        label=_("Only offers with capacity left this year"),
        method="filter_nothing",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=MarketSort.CHOICES, method="filter_nothing", empty_label=None
    )


class RequestSide:
    SENT = "sent"
    RECEIVED = "received"
    CHOICES = [(SENT, _("Sent by me")), (RECEIVED, _("Received by my organisations"))]


class RequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=RequestStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    side = django_filters.ChoiceFilter(
        label=_("Direction"), choices=RequestSide.CHOICES, method="filter_side"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_side(self, queryset, name, value):
        sent = Q(requester=self.user)
        return queryset.filter(sent if value == RequestSide.SENT else ~sent)
