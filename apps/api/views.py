"""Read-only endpoints of the open API (version 1). Anonymous, JSON only, paginated."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import api_view, authentication_classes, renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

from . import selectors
from .filters import OfferFilter, OrganisationFilter, ProjectFilter, SiteFilter, validated
from .pagination import StrictLimitOffsetPagination
from .serializers import (
    ErrorSerializer,
    OfferSerializer,
    OrganisationSerializer,
    ProjectSerializer,
    SiteSerializer,
)

INVALID_PARAMETERS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description=_("A query parameter is invalid: its name, with what is wrong."),
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("No such published record."))
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


def slug_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "slug",
        str,
        OpenApiParameter.PATH,
        description=description,
        pattern=f"^{SLUG_PATTERN}$",
    )


class OpenDataMixin:
    """Anonymous, read-only, JSON only (the browsable API needs inline scripts the CSP forbids)."""

    renderer_classes = [JSONRenderer]
    pagination_class = StrictLimitOffsetPagination
    authentication_classes = []
    filter_class = None

    def filters(self) -> dict:
        """The validated query parameters of a list request (400 if one is invalid)."""
        if self.filter_class is None or getattr(self, "swagger_fake_view", False):
            return {}
        return validated(self.filter_class, self.request.query_params)


class ReadOnlyViewSet(
    OpenDataMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = SLUG_PATTERN


@extend_schema(tags=["projects"])
class ProjectViewSet(ReadOnlyViewSet):
    """Published projects."""

    serializer_class = ProjectSerializer
    filter_class = ProjectFilter
    lookup_field = "slug"

    def get_queryset(self):
        if self.action != "list":
            return selectors.api_projects()
        params = self.filters()
        return selectors.api_projects(
            topics=params.get("topic", ()),
            target_groups=params.get("target_group", ()),
            transfer_formats=params.get("transfer_format", ()),
            states=params.get("state", ()),
            settings=params.get("setting", ()),
            readiness=params.get("readiness", ()),
            query=params.get("q", ""),
        )

    @extend_schema(
        summary=_("List published projects"),
        parameters=[ProjectFilter],
        responses={200: ProjectSerializer(many=True), 400: INVALID_PARAMETERS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("A published project"),
        parameters=[slug_parameter("The project's slug.")],
        responses={200: ProjectSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["sites"])
class ProjectSitesView(OpenDataMixin, generics.ListAPIView):
    """The sites of one published project: its origin and the places that copied it."""

    serializer_class = SiteSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.api_sites()
        project = selectors.api_project(slug=self.kwargs["slug"])
        return selectors.api_sites_of(project=project)

    @extend_schema(
        summary=_("List the sites of a published project"),
        operation_id="projects_sites_list",
        parameters=[slug_parameter("The project's slug.")],
        responses={200: SiteSerializer(many=True), 400: INVALID_PARAMETERS, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["sites"])
class SiteViewSet(ReadOnlyViewSet):
    """Sites of published projects."""

    serializer_class = SiteSerializer
    filter_class = SiteFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        params = self.filters() if self.action == "list" else {}
        return selectors.api_sites(
            statuses=params.get("status", ()), states=params.get("state", ())
        )

    @extend_schema(
        summary=_("List the sites of all published projects"),
        parameters=[SiteFilter],
        responses={200: SiteSerializer(many=True), 400: INVALID_PARAMETERS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("A site of a published project"),
        parameters=[
            OpenApiParameter(
                "id",
                int,
                OpenApiParameter.PATH,
                description=_("The site's id."),
            )
        ],
        responses={200: SiteSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["organisations"])
class OrganisationViewSet(ReadOnlyViewSet):
    """Organisations, with their public contact data only."""

    serializer_class = OrganisationSerializer
    filter_class = OrganisationFilter
    lookup_field = "slug"

    def get_queryset(self):
        params = self.filters() if self.action == "list" else {}
        return selectors.api_organisations(
            kinds=params.get("kind", ()), states=params.get("state", ())
        )

    @extend_schema(
        summary=_("List organisations"),
        parameters=[OrganisationFilter],
        responses={200: OrganisationSerializer(many=True), 400: INVALID_PARAMETERS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("An organisation"),
        parameters=[slug_parameter("The organisation's slug.")],
        responses={200: OrganisationSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["offers"])
class OfferViewSet(ReadOnlyViewSet):
    """Open transfer offers of published projects."""

    serializer_class = OfferSerializer
    filter_class = OfferFilter
    lookup_field = "project__slug"
    lookup_url_kwarg = "slug"

    def get_queryset(self):
        params = self.filters() if self.action == "list" else {}
        return selectors.api_offers(
            topics=params.get("topic", ()),
            components=params.get("component", ()),
            settings=params.get("setting", ()),
            states=params.get("state", ()),
            has_capacity=params.get("has_capacity"),
        )

    @extend_schema(
        summary=_("List open transfer offers"),
        parameters=[OfferFilter],
        responses={200: OfferSerializer(many=True), 400: INVALID_PARAMETERS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("The open transfer offer of a published project"),
        parameters=[slug_parameter("The slug of the offer's project.")],
        responses={200: OfferSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@renderer_classes([JSONRenderer])
def not_found(request, *args, **kwargs):
    """Any other address under /api/, e.g. an id or slug no record can have: a JSON 404, not
    the site's HTML error page."""
    raise NotFound
