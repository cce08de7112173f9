import functools

from .selectors import unread_total


def unread_requests(request):
    """The number of unread messages in the person's requests, counted only when a template
    shows it (templates call callables)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_requests": functools.cache(functools.partial(unread_total, user=user))}
