from django import template
from django.utils.safestring import mark_safe

from apps.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (or removed when None/"")."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template; missing keys and mappings give None."""
    if not mapping:
        return None
    return mapping.get(str(key))
