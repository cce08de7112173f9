"""The rows of OfferComponent, created by migration 0002 and restored by test flushes."""

OFFER_COMPONENT_CODES = ["manual", "training", "licence", "mentoring", "starter_kit"]


def ensure_offer_components(offer_component_model) -> None:
    for code in OFFER_COMPONENT_CODES:
        offer_component_model.objects.get_or_create(code=code)
