from collections.abc import Iterable

from django.db.models import Model


def unique_slug(
    model: type[Model], base: str, max_length: int = 150, reserved: Iterable[str] = ()
) -> str:
    """The first of base, base-2, base-3 … neither used by the model nor reserved by a URL."""
    base = base[:max_length].strip("-") or "item"
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken.update(reserved)
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug
