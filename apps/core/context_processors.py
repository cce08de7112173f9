from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def site(request):
    return {"SITE_URL": settings.SITE_URL, "map_tiles_url": settings.MAP_TILES_URL}


def language_links(request):
    """The current page in every interface language: plain links, no form, no cookie."""
    query = request.META.get("QUERY_STRING", "")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
                "url": f"{url}?{query}" if query else url,
                "current": code == current,
            }
        )
    return {"language_links": links}
