from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

from .filters import IntegerParameter, validated

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageParameters(serializers.Serializer):
    limit = IntegerParameter(
        required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT
    )
    offset = IntegerParameter(required=False, min_value=0, default=0)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset pages of at most MAX_LIMIT records.

    Unlike DRF's default, which silently falls back to the defaults, a limit or offset that is
    not a number in range is a 400: a client asking for 1000 records must not believe it got
    them all.
    """

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        self._parameters = validated(PageParameters, request.query_params)
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        return self._parameters["limit"]

    def get_offset(self, request):
        return self._parameters["offset"]

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": gettext("Number of results per page (1 to %(max)s).")
                % {"max": MAX_LIMIT},
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": gettext("Index of the first result to return."),
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
        ]
