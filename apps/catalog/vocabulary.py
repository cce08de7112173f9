"""The catalog's starting vocabulary (German name, English name), loaded by migration 0002."""

TOPICS = [
    ("Nachbarschaft und Engagement", "Neighbourhood and civic engagement"),
    ("Nahversorgung und Dorfläden", "Local supply and village shops"),
    ("Mobilität", "Mobility"),
    ("Bildung", "Education"),
    ("Digitale Teilhabe", "Digital inclusion"),
    ("Umwelt und Klimaschutz", "Environment and climate"),
    ("Gesundheit und Pflege", "Health and care"),
    ("Integration und Vielfalt", "Integration and diversity"),
    ("Kultur", "Culture"),
    ("Sport und Bewegung", "Sport and exercise"),
    ("Wohnen", "Housing"),
    ("Ernährung und Landwirtschaft", "Food and farming"),
    ("Reparieren und Teilen", "Repair and sharing"),
    ("Kinder und Jugend", "Children and youth"),
    ("Demokratie und Beteiligung", "Democracy and participation"),
    ("Armut und soziale Sicherung", "Poverty and social security"),
    ("Gärten und Stadtgrün", "Gardens and urban green"),
    ("Energie", "Energy"),
    ("Arbeit und Qualifizierung", "Work and skills"),
]

TARGET_GROUPS = [
    ("Kinder", "Children"),
    ("Jugendliche", "Young people"),
    ("Familien", "Families"),
    ("Seniorinnen und Senioren", "Older people"),
    ("Menschen mit Behinderung", "People with disabilities"),
    ("Geflüchtete und Zugewanderte", "Refugees and migrants"),
    ("Alleinerziehende", "Single parents"),
    ("Menschen mit geringem Einkommen", "People on low incomes"),
    ("Ehrenamtliche", "Volunteers"),
    ("Kommunen und Verwaltung", "Municipalities and administrations"),
    ("Vereine und Initiativen", "Associations and initiatives"),
    ("Schulen und Kitas", "Schools and day-care centres"),
    ("Unternehmen", "Businesses"),
    ("Frauen", "Women"),
    ("Arbeitsuchende", "Job seekers"),
    ("Alle Bürgerinnen und Bürger", "All residents"),
]

TRANSFER_FORMAT_CODES = ["open_manual", "licence", "cooperation", "consulting"]


def ensure_vocabulary(topic_model, target_group_model, transfer_format_model) -> None:
    """Create the starting vocabulary where missing; takes the models so migrations can call it."""
    from django.utils.text import slugify

    for model, terms in ((topic_model, TOPICS), (target_group_model, TARGET_GROUPS)):
        for name, name_en in terms:
            model.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "name_en": name_en}
            )
    for code in TRANSFER_FORMAT_CODES:
        transfer_format_model.objects.get_or_create(code=code)
