"""What the open API shows of each record: public fields only, typed for the OpenAPI schema.

Never here: people (users, members, contact persons) and their e-mail addresses, moderation
notes, requests and messages.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.models import Project, Site, TargetGroup, Topic, TransferFormat
from apps.market.models import OfferComponent, TransferOffer
from apps.organisations.models import Organisation
from apps.places.models import Municipality


class BlankAsNullURLField(serializers.URLField):
    """A URL that may be unknown: null instead of an empty string."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class BlankAsNullEmailField(serializers.EmailField):
    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The absolute URL of the record's page on the site, in the default language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The page on Transferhub."))
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        with translation.override(settings.LANGUAGE_CODE):
            path = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["slug", "name", "state", "latitude", "longitude"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    """German name, English name (may be empty) and slug."""

    class Meta:
        model = Topic
        fields = ["slug", "name", "name_en"]
        read_only_fields = fields


class TargetGroupSerializer(TopicSerializer):
    class Meta(TopicSerializer.Meta):
        model = TargetGroup


class OrganisationReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name"]
        read_only_fields = fields


class ProjectReferenceSerializer(serializers.ModelSerializer):
    url = PageUrlField()

    class Meta:
        model = Project
        fields = ["slug", "title", "url"]
        read_only_fields = fields


@extend_schema_field(
    serializers.ListField(child=serializers.ChoiceField(choices=TransferFormat.Code.choices))
)
class TransferFormatCodesField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return [transfer_format.code for transfer_format in value.all()]


@extend_schema_field(
    serializers.ListField(child=serializers.ChoiceField(choices=OfferComponent.Code.choices))
)
class ComponentCodesField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return [component.code for component in value.all()]


class ProjectSerializer(serializers.ModelSerializer):
    organisation = OrganisationReferenceSerializer(read_only=True)
    municipality = MunicipalitySerializer(read_only=True, help_text=_("The home municipality."))
    topics = TopicSerializer(many=True, read_only=True)
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    transfer_formats = TransferFormatCodesField()
    licence_url = BlankAsNullURLField(help_text=_("Null for all rights reserved."))
    website = BlankAsNullURLField()
    url = PageUrlField()

    class Meta:
        model = Project
        fields = [
            "slug",
            "title",
            "summary",
            "problem",
            "solution",
            "impact",
            "organisation",
            "municipality",
            "topics",
            "target_groups",
            "transfer_formats",
            "founded_year",
            "readiness",
            "setting",
            "licence",
            "licence_url",
            "website",
            "active_site_count",
            "published_at",
            "url",
        ]
        read_only_fields = fields


class SiteSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    municipality = MunicipalitySerializer(read_only=True)
    organisation = OrganisationReferenceSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The running organisation, if it is on Transferhub."),
    )
    operator = serializers.CharField(
        read_only=True, help_text=_("Name of the running organisation (may be empty).")
    )
    copied_from = serializers.IntegerField(
        source="copied_from_id",
        read_only=True,
        allow_null=True,
        help_text=_("Id of the site this one was copied from."),
    )

    class Meta:
        model = Site
        fields = [
            "id",
            "project",
            "municipality",
            "organisation",
            "operator",
            "started_on",
            "ended_on",
            "status",
            "is_origin",
            "copied_from",
            "adaptation_notes",
        ]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    municipality = MunicipalitySerializer(read_only=True, allow_null=True)
    website = BlankAsNullURLField()
    email = BlankAsNullEmailField(help_text=_("The organisation's public e-mail address."))
    project_count = serializers.IntegerField(
        read_only=True, min_value=0, help_text=_("Number of its published projects.")
    )
    url = PageUrlField()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "municipality",
            "website",
            "email",
            "accepts_members",
            "project_count",
            "url",
        ]
        read_only_fields = fields


class OfferSerializer(serializers.ModelSerializer):
    project = ProjectReferenceSerializer(read_only=True)
    organisation = OrganisationReferenceSerializer(source="project.organisation", read_only=True)
    components = ComponentCodesField()
    capacity_left = serializers.IntegerField(
        read_only=True, min_value=0, help_text=_("New sites the offer can still support this year.")
    )
    url = PageUrlField(help_text=_("The offer's page on Transferhub."))

    class Meta:
        model = TransferOffer
        fields = [
            "id",
            "project",
            "organisation",
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
            "capacity_left",
            "published_at",
            "url",
        ]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
