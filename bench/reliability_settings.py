"""The app's own settings for `make reliability`, plus what running behind a proxy needs.

The run gives each client an address of its own in X-Forwarded-For and sets
RATE_LIMIT_TRUSTED_PROXIES=1, as nginx in front of the app would. The app's rate limits and
django-axes read that header then; allauth's login limit (30 a minute per address) reads it
only with ALLAUTH_TRUSTED_PROXY_COUNT, without which all clients count as the one proxy address.
Once transferhub/settings.py sets ALLAUTH_TRUSTED_PROXY_COUNT itself, this adds nothing.
"""

from transferhub.settings import *  # noqa: F403
from transferhub.settings import RATE_LIMIT_TRUSTED_PROXIES

if "ALLAUTH_TRUSTED_PROXY_COUNT" not in globals():
    ALLAUTH_TRUSTED_PROXY_COUNT = RATE_LIMIT_TRUSTED_PROXIES
