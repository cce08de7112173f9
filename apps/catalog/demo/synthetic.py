"""A synthetic, published catalog of any size, for benchmarks (`manage.py generate_catalog`).

Texts are recombined from the demo corpus (projects_*.json beside this module): the place names
of each demo project are replaced by placeholders, its sentences are pooled by topic, and every
synthetic project gets one demo project's title pattern and structure, some sentences swapped
for others of the same topic, and new places. So texts vary but read like real entries.

The rows are written with bulk_create in batches, one transaction per batch, not through the
catalog services: those validate and index one project at a time and would need hours for
100,000 projects. This module keeps their invariants itself: every project has its origin site
at its municipality, active_site_count matches the active sites, and every project is in the
search index.
"""

import contextlib
import datetime
import math
import random
import re
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.core.db import refresh_planner_statistics
from apps.organisations.models import Organisation
from apps.places.models import Municipality, SettlementType
from apps.places.services import municipalities_load
from apps.search.backends import get_backend

from ..cache import bump_catalog_version
from ..models import Licence, Project, Readiness, Setting, Site, TargetGroup, Topic, TransferFormat
from ..services import PROJECT_RELATIONS
from .loader import demo_records

# Placeholders in the recombinable texts: the project's (or site's) own place and another one.
HOME = "{ort}"
OTHER = "{nachbarort}"

TITLE_MAX = Project._meta.get_field("title").max_length
SUMMARY_MAX = Project._meta.get_field("summary").max_length
SLUG_MAX = Project._meta.get_field("slug").max_length
ORGANISATION_NAME_MAX = Organisation._meta.get_field("name").max_length
OPERATOR_MAX = Site._meta.get_field("operator_name").max_length

PUBLISHED_YEARS = 6
# Copies per project (besides the origin) and their weights: about 1.5 on average, so that a
# project has about 2.5 sites, with a long tail of much-copied projects.
COPY_COUNTS = (0, 1, 2, 3, 4, 5, 6, 8, 12)
COPY_WEIGHTS = (36, 24, 16, 10, 6, 4, 2, 1.2, 0.8)
SWAP_SENTENCE = 0.25
# Used when a title is taken in that place already: a part of town keeps it plausible.
QUARTERS = ("Nord", "Süd", "Ost", "West", "Mitte", "Altstadt", "Neustadt", "Oberdorf", "Unterdorf")

FIRST_NAMES = [
    "Anna",
    "Bernd",
    "Claudia",
    "Dieter",
    "Elif",
    "Frank",
    "Gisela",
    "Hannah",
    "Ibrahim",
    "Jana",
    "Jürgen",
    "Katrin",
    "Lukas",
    "Maria",
    "Mehmet",
    "Nadine",
    "Olaf",
    "Petra",
    "Ralf",
    "Sabine",
    "Thomas",
    "Ursula",
    "Volker",
    "Wiebke",
    "Yusuf",
    "Zoe",
    "Birgit",
    "Heike",
    "Jonas",
    "Lea",
    "Martin",
    "Sophie",
    "Tobias",
    "Miriam",
    "Andreas",
    "Christine",
    "Stefan",
    "Leonie",
    "Kai",
    "Ute",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Jansen",
    "Yıldız",
    "Kowalski",
    "Petersen",
    "Albrecht",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
]
LICENCE_WEIGHTS = {
    Licence.CC_BY_SA: 50,
    Licence.CC_BY: 20,
    Licence.CC_BY_NC_SA: 10,
    Licence.CC0: 5,
    Licence.ALL_RIGHTS_RESERVED: 15,
}

# Used when no projects_*.json exist yet (and in addition to too small a corpus), so that the
# command always works. Same format as the demo records, with the placeholders in place.
FALLBACK_RECORDS: list[dict] = [
    {
        "title": "Dorfladen {ort}",
        "organisation": {"name": "Dorfladen {ort} eG", "kind": "cooperative"},
        "summary": "In {ort} betreiben Bürgerinnen und Bürger gemeinsam einen Dorfladen mit "
        "Café, der regionale Lebensmittel verkauft und zum Treffpunkt im Ort geworden ist.",
        "problem": "Seit der letzte Lebensmittelladen in {ort} geschlossen hat, fahren die "
        "Menschen für jeden Einkauf nach {nachbarort}. Wer kein Auto hat, ist auf Nachbarn oder "
        "den seltenen Bus angewiesen. Mit dem Laden verschwand auch der Ort, an dem man sich "
        "zufällig begegnet.",
        "solution": "Über 200 Haushalte haben Genossenschaftsanteile gezeichnet und so das "
        "Startkapital aufgebracht. Eine hauptamtliche Marktleitung wird von ehrenamtlichen "
        "Helferinnen und Helfern unterstützt. Das Sortiment kommt zu einem großen Teil von Höfen "
        "aus der Region. Eine kleine Kaffeeecke lädt zum Verweilen ein.",
        "impact": "Der Dorfladen erzielt einen Jahresumsatz von rund 400.000 Euro und trägt sich "
        "selbst. Rund 60 Prozent der Haushalte kaufen regelmäßig ein.",
        "topics": ["Nahversorgung und Dorfläden", "Nachbarschaft und Engagement"],
        "target_groups": ["Seniorinnen und Senioren", "Alle Bürgerinnen und Bürger"],
        "transfer_formats": ["open_manual", "consulting"],
        "sites": [
            {"adaptation": "Der Laden in {ort} ist kleiner und öffnet nur an fünf Tagen."},
            {"adaptation": "Statt einer Genossenschaft trägt in {ort} ein Verein den Laden."},
        ],
    },
    {
        "title": "Bürgerbus {ort}",
        "organisation": {"name": "Bürgerbusverein {ort} e. V.", "kind": "association"},
        "summary": "Ehrenamtliche Fahrerinnen und Fahrer verbinden mit dem Bürgerbus die "
        "Ortsteile von {ort} mit Ärzten, Geschäften und dem Bahnhof.",
        "problem": "Zwischen den Ortsteilen von {ort} fährt außerhalb der Schulzeiten kaum ein "
        "Bus. Ältere Menschen ohne Auto kommen nur schwer zum Arzt oder zum Einkaufen. Viele "
        "ziehen deshalb früher als gewünscht in die Stadt.",
        "solution": "Ein Verein betreibt einen Kleinbus mit acht Sitzplätzen nach festem "
        "Fahrplan. Rund 30 ehrenamtliche Fahrerinnen und Fahrer wechseln sich ab. Der "
        "Verkehrsverbund erkennt die Fahrkarten an, die Gemeinde übernimmt die Versicherung. "
        "Vorbild war der Bürgerbus in {nachbarort}.",
        "impact": "Der Bürgerbus befördert im Jahr etwa 9.000 Fahrgäste. Die meisten sind über "
        "70 Jahre alt und fahren zum Arzt oder zum Einkaufen.",
        "topics": ["Mobilität"],
        "target_groups": ["Seniorinnen und Senioren", "Ehrenamtliche"],
        "transfer_formats": ["open_manual", "consulting"],
        "sites": [
            {"adaptation": "In {ort} fährt der Bürgerbus auf Bestellung statt nach Fahrplan."},
            {"adaptation": "Der Bus in {ort} ist ein Elektrofahrzeug der Stadtwerke."},
        ],
    },
    {
        "title": "Gemeinschaftsgarten {ort}",
        "organisation": {"name": "Gartenfreunde {ort} e. V.", "kind": "association"},
        "summary": "Auf einer Brachfläche in {ort} gärtnern Nachbarinnen und Nachbarn gemeinsam, "
        "ernten Gemüse und lernen voneinander.",
        "problem": "Viele Menschen in {ort} wohnen ohne eigenen Garten. Öffentliche Grünflächen "
        "sind oft nur Rasen, den niemand nutzt. Kinder wissen wenig darüber, wo Gemüse herkommt.",
        "solution": "Die Stadt stellt eine Fläche kostenlos zur Verfügung. In Hochbeeten wachsen "
        "Gemüse, Kräuter und Blumen, jede und jeder kann mitmachen. Einmal in der Woche gibt es "
        "einen offenen Gartentag mit Anleitung. Schulen und Kitas pflegen eigene Beete.",
        "impact": "Rund 80 Menschen gärtnern regelmäßig mit. Drei Schulklassen nutzen den Garten "
        "als grünes Klassenzimmer.",
        "topics": ["Gärten und Stadtgrün", "Umwelt und Klimaschutz"],
        "target_groups": ["Familien", "Kinder", "Alle Bürgerinnen und Bürger"],
        "transfer_formats": ["open_manual"],
        "sites": [
            {"adaptation": "In {ort} entstand der Garten auf dem Gelände einer Kirchengemeinde."},
            {"adaptation": "Der Garten in {ort} hat eine Streuobstwiese statt Hochbeeten."},
        ],
    },
    {
        "title": "Repair Café {ort}",
        "organisation": {"name": "Repair Café {ort}", "kind": "initiative"},
        "summary": "Einmal im Monat reparieren Ehrenamtliche in {ort} gemeinsam mit den "
        "Besitzern kaputte Geräte, Kleidung und Fahrräder, statt sie wegzuwerfen.",
        "problem": "Viele Geräte landen im Müll, obwohl nur ein Kabel oder ein Schalter defekt "
        "ist. Reparaturen im Fachgeschäft sind teuer geworden. Wissen über das Reparieren geht "
        "verloren.",
        "solution": "In einem Gemeindehaus stehen Werkzeug und Ersatzteile bereit. Elektriker, "
        "Schneiderinnen und Fahrradbastler helfen ehrenamtlich bei der Reparatur. Während der "
        "Wartezeit gibt es Kaffee und Kuchen. Die Anleitung des Netzwerks aus {nachbarort} "
        "hat den Start erleichtert.",
        "impact": "Bei rund 70 Prozent der mitgebrachten Geräte gelingt die Reparatur. Im Jahr "
        "kommen so etwa 600 Geräte wieder in Gebrauch.",
        "topics": ["Reparieren und Teilen", "Umwelt und Klimaschutz"],
        "target_groups": ["Alle Bürgerinnen und Bürger", "Ehrenamtliche"],
        "transfer_formats": ["open_manual", "cooperation"],
        "sites": [
            {"adaptation": "Das Repair Café in {ort} findet in der Stadtbibliothek statt."},
            {"adaptation": "In {ort} reparieren Auszubildende gemeinsam mit Rentnern."},
        ],
    },
    {
        "title": "Nachbarschaftshilfe {ort}",
        "organisation": {"name": "Nachbarschaftshilfe {ort} e. V.", "kind": "association"},
        "summary": "Die Nachbarschaftshilfe in {ort} vermittelt Hilfe im Alltag: Einkäufe, "
        "Fahrten zum Arzt, Gesellschaft und kleine Arbeiten im Haushalt.",
        "problem": "Immer mehr ältere Menschen in {ort} leben allein, ihre Kinder wohnen weit weg. "
        "Für kleine Hilfen im Alltag gibt es keinen Pflegedienst. Viele fühlen sich einsam.",
        "solution": "Eine Koordinatorin nimmt Anfragen am Telefon entgegen und vermittelt "
        "Helferinnen und Helfer aus der Nachbarschaft. Die Helfenden sind versichert und "
        "erhalten eine kleine Aufwandsentschädigung. Regelmäßige Treffen sorgen für Austausch "
        "und Fortbildung.",
        "impact": "Über 120 Helferinnen und Helfer leisten jedes Jahr mehr als 5.000 Stunden "
        "Nachbarschaftshilfe. Viele Seniorinnen und Senioren können so länger zu Hause wohnen.",
        "topics": ["Nachbarschaft und Engagement", "Gesundheit und Pflege"],
        "target_groups": ["Seniorinnen und Senioren", "Ehrenamtliche"],
        "transfer_formats": ["open_manual", "consulting"],
        "sites": [
            {"adaptation": "In {ort} ist die Nachbarschaftshilfe an das Rathaus angebunden."},
            {"adaptation": "Die Gruppe in {ort} bietet zusätzlich einen Besuchsdienst an."},
        ],
    },
    {
        "title": "Jugendparlament {ort}",
        "organisation": {"name": "Stadtjugendring {ort} e. V.", "kind": "association"},
        "summary": "Im Jugendparlament {ort} entscheiden Jugendliche über ein eigenes Budget und "
        "bringen ihre Anliegen in den Gemeinderat ein.",
        "problem": "Jugendliche in {ort} haben den Eindruck, dass Politik über ihre Köpfe hinweg "
        "entscheidet. Es fehlen Treffpunkte und Angebote für junge Menschen. Viele ziehen nach "
        "der Schule weg.",
        "solution": "Alle zwei Jahre wählen die Jugendlichen ihre Vertretung. Das Jugendparlament "
        "verfügt über ein eigenes Budget und hat Rederecht im Gemeinderat. Eine Fachkraft der "
        "Jugendarbeit begleitet die Sitzungen. Jugendbeteiligung wird so zum festen Bestandteil "
        "der Kommunalpolitik.",
        "impact": "Das Jugendparlament hat einen Skatepark und einen Nachtbus nach {nachbarort} "
        "durchgesetzt. Die Wahlbeteiligung liegt bei über 40 Prozent.",
        "topics": ["Demokratie und Beteiligung", "Kinder und Jugend"],
        "target_groups": ["Jugendliche", "Kommunen und Verwaltung"],
        "transfer_formats": ["consulting", "cooperation"],
        "sites": [
            {"adaptation": "In {ort} ist das Jugendparlament für mehrere Dörfer zuständig."},
        ],
    },
    {
        "title": "Sprachcafé {ort}",
        "organisation": {"name": "Initiative Willkommen in {ort}", "kind": "initiative"},
        "summary": "Im Sprachcafé {ort} üben Zugewanderte und Einheimische bei Kaffee und "
        "Kuchen Deutsch im Gespräch.",
        "problem": "Nach dem Integrationskurs fehlt vielen Geflüchteten die Gelegenheit, Deutsch "
        "im Alltag zu sprechen. Kontakte zu Einheimischen entstehen selten von allein.",
        "solution": "Jeden Dienstag treffen sich Lernende und Ehrenamtliche im Gemeindezentrum. "
        "An Thementischen wird über Arbeit, Familie oder Behörden gesprochen. Kinder werden "
        "während der Zeit betreut. Ausflüge nach {nachbarort} und Feste ergänzen das Angebot.",
        "impact": "Jede Woche kommen etwa 40 Menschen aus über zehn Ländern. Viele haben über das "
        "Sprachcafé eine Ausbildung oder Arbeit gefunden.",
        "topics": ["Integration und Vielfalt", "Bildung"],
        "target_groups": ["Geflüchtete und Zugewanderte", "Ehrenamtliche"],
        "transfer_formats": ["open_manual"],
        "sites": [
            {"adaptation": "Das Sprachcafé in {ort} trifft sich im Stadtteilzentrum."},
        ],
    },
    {
        "title": "Digitalpaten {ort}",
        "organisation": {"name": "Seniorenbüro {ort}", "kind": "municipality"},
        "summary": "Ehrenamtliche Digitalpaten helfen älteren Menschen in {ort} beim Umgang mit "
        "Smartphone, Tablet und Online-Diensten.",
        "problem": "Arzttermine, Bankgeschäfte und Fahrkarten gibt es immer öfter nur noch "
        "online. Viele Seniorinnen und Senioren trauen sich an das Smartphone nicht heran. Wer "
        "niemanden fragen kann, bleibt außen vor.",
        "solution": "In einer offenen Sprechstunde beantworten Digitalpaten Fragen in Ruhe und "
        "ohne Fachbegriffe. Zusätzlich gibt es Smartphone-Kurse in kleinen Gruppen. Die Paten "
        "werden vorher geschult und treffen sich zum Austausch.",
        "impact": "Im ersten Jahr kamen über 300 Menschen in die Sprechstunde. Die meisten "
        "nutzen heute selbstständig Videotelefonie und Online-Banking.",
        "topics": ["Digitale Teilhabe", "Bildung"],
        "target_groups": ["Seniorinnen und Senioren", "Ehrenamtliche"],
        "transfer_formats": ["open_manual", "consulting"],
        "sites": [
            {"adaptation": "In {ort} kommen die Digitalpaten auch nach Hause."},
        ],
    },
    {
        "title": "Bürgerenergie {ort}",
        "organisation": {"name": "Bürgerenergiegenossenschaft {ort} eG", "kind": "cooperative"},
        "summary": "Die Bürgerenergiegenossenschaft {ort} baut Solaranlagen auf öffentlichen "
        "Dächern und beteiligt die Menschen vor Ort an der Energiewende.",
        "problem": "Die Dächer von Schulen und Turnhallen in {ort} bleiben ungenutzt. Viele "
        "Menschen möchten sich an der Energiewende beteiligen, haben aber kein eigenes Dach.",
        "solution": "Mitglieder zeichnen Anteile ab 100 Euro. Die Genossenschaft pachtet Dächer "
        "von der Gemeinde und baut Solaranlagen. Der Strom wird vor Ort verbraucht oder "
        "eingespeist. Die Stadtwerke {nachbarort} beraten bei der Technik.",
        "impact": "Sieben Solaranlagen erzeugen zusammen rund 900.000 Kilowattstunden im Jahr. "
        "Die Genossenschaft hat über 350 Mitglieder.",
        "topics": ["Energie", "Umwelt und Klimaschutz"],
        "target_groups": ["Alle Bürgerinnen und Bürger", "Kommunen und Verwaltung"],
        "transfer_formats": ["consulting", "cooperation"],
        "sites": [
            {"adaptation": "In {ort} betreibt die Genossenschaft auch ein Nahwärmenetz."},
        ],
    },
    {
        "title": "Lebensmittel retten in {ort}",
        "organisation": {"name": "Foodsharing {ort}", "kind": "initiative"},
        "summary": "Ehrenamtliche holen in {ort} übrig gebliebene Lebensmittel bei Bäckereien "
        "und Supermärkten ab und verteilen sie kostenlos.",
        "problem": "Jeden Abend werfen Bäckereien und Supermärkte genießbare Lebensmittel weg. "
        "Gleichzeitig reicht bei vielen Familien in {ort} das Geld am Monatsende kaum.",
        "solution": "Feste Teams holen die Lebensmittel zu vereinbarten Zeiten ab. Ein "
        "öffentlicher Kühlschrank im Bürgerhaus ist für alle zugänglich. Die Tafel und die "
        "Initiative stimmen sich ab, damit nichts doppelt abgeholt wird.",
        "impact": "Jährlich werden mehr als 40 Tonnen Lebensmittel gerettet. Über 20 Betriebe "
        "machen mit.",
        "topics": ["Ernährung und Landwirtschaft", "Armut und soziale Sicherung"],
        "target_groups": ["Menschen mit geringem Einkommen", "Familien"],
        "transfer_formats": ["open_manual"],
        "sites": [
            {"adaptation": "In {ort} steht der Kühlschrank im Foyer der Hochschule."},
        ],
    },
    {
        "title": "Leihladen {ort}",
        "organisation": {"name": "Leihladen {ort} e. V.", "kind": "association"},
        "summary": "Im Leihladen {ort} kann man Werkzeug, Campingausrüstung und Küchengeräte "
        "ausleihen, statt sie zu kaufen.",
        "problem": "Eine Bohrmaschine wird im Durchschnitt nur wenige Minuten im Leben benutzt. "
        "Trotzdem kauft fast jeder Haushalt eine. Platz in den Wohnungen ist knapp.",
        "solution": "Mitglieder zahlen einen kleinen Jahresbeitrag und leihen sich Gegenstände "
        "für eine Woche aus. Die Dinge stammen aus Spenden. Ehrenamtliche öffnen den Laden an "
        "drei Nachmittagen und prüfen die Geräte.",
        "impact": "Über 800 Gegenstände stehen zur Ausleihe bereit. Im Jahr gibt es rund 2.500 "
        "Ausleihen.",
        "topics": ["Reparieren und Teilen", "Nachbarschaft und Engagement"],
        "target_groups": ["Alle Bürgerinnen und Bürger", "Familien"],
        "transfer_formats": ["open_manual", "licence"],
        "sites": [
            {"adaptation": "Der Leihladen in {ort} ist Teil der Stadtbibliothek."},
        ],
    },
    {
        "title": "Hausaufgabenhilfe {ort}",
        "organisation": {"name": "Bildungspaten {ort} e. V.", "kind": "association"},
        "summary": "Studierende und Ruheständler helfen Schulkindern in {ort} nachmittags bei "
        "den Hausaufgaben und beim Lesen.",
        "problem": "Viele Kinder in {ort} bekommen zu Hause keine Unterstützung beim Lernen. "
        "Nachhilfe können sich die Familien nicht leisten. Lücken wachsen von Jahr zu Jahr.",
        "solution": "Die Hausaufgabenhilfe findet viermal pro Woche in der Grundschule statt. "
        "Jedes Kind hat eine feste Lernpatin oder einen festen Lernpaten. Die Lehrkräfte "
        "sprechen sich mit den Ehrenamtlichen ab.",
        "impact": "Rund 50 Kinder nehmen regelmäßig teil. Die Lehrkräfte berichten von besseren "
        "Noten und mehr Selbstvertrauen.",
        "topics": ["Bildung", "Kinder und Jugend"],
        "target_groups": ["Kinder", "Schulen und Kitas", "Familien"],
        "transfer_formats": ["open_manual", "cooperation"],
        "sites": [
            {"adaptation": "In {ort} findet die Hausaufgabenhilfe im Jugendzentrum statt."},
        ],
    },
    {
        "title": "Mitfahrbank {ort}",
        "organisation": {"name": "Dorfgemeinschaft {ort} e. V.", "kind": "association"},
        "summary": "Wer auf der Mitfahrbank in {ort} Platz nimmt, zeigt mit einem Schild an, "
        "wohin er möchte, und wird von Autofahrern aus dem Ort mitgenommen.",
        "problem": "Der Bus nach {nachbarort} fährt nur dreimal am Tag. Gleichzeitig fahren viele "
        "Autos mit nur einer Person die gleiche Strecke.",
        "solution": "An zentralen Stellen stehen auffällige Bänke mit Klappschildern für die "
        "Ziele. Die Gemeinde hat die Bänke aufgestellt, der Verein macht sie bekannt. Die "
        "Mitfahrt ist kostenlos.",
        "impact": "An den fünf Mitfahrbänken werden im Monat rund 150 Fahrten vermittelt. Die "
        "Wartezeit liegt meist unter zehn Minuten.",
        "topics": ["Mobilität", "Nachbarschaft und Engagement"],
        "target_groups": ["Seniorinnen und Senioren", "Jugendliche"],
        "transfer_formats": ["open_manual"],
        "sites": [
            {"adaptation": "In {ort} gibt es zusätzlich eine Mitfahr-App."},
        ],
    },
    {
        "title": "Kulturscheune {ort}",
        "organisation": {"name": "Kulturverein {ort} e. V.", "kind": "association"},
        "summary": "In einer alten Scheune in {ort} organisiert ein Verein Konzerte, Lesungen "
        "und Theater für die ganze Region.",
        "problem": "Auf dem Land gibt es kaum noch Kino oder Theater. Für Kultur müssen die "
        "Menschen weit fahren. Leerstehende Gebäude verfallen.",
        "solution": "Der Verein hat die Scheune gepachtet und mit Fördermitteln und viel "
        "Eigenleistung umgebaut. Ehrenamtliche kümmern sich um Technik, Kasse und Bewirtung. "
        "Künstlerinnen und Künstler aus der Region treten regelmäßig auf.",
        "impact": "Jährlich finden rund 40 Veranstaltungen mit über 4.000 Gästen statt. Die "
        "Scheune ist zum Treffpunkt für Alt und Jung geworden.",
        "topics": ["Kultur", "Nachbarschaft und Engagement"],
        "target_groups": ["Alle Bürgerinnen und Bürger", "Vereine und Initiativen"],
        "transfer_formats": ["consulting"],
        "sites": [
            {"adaptation": "In {ort} dient ein ehemaliger Bahnhof als Kulturort."},
        ],
    },
]
# Names that fit an organisation of any topic.
GENERIC_ORGANISATIONS = (
    ("Bürgerverein {ort} e. V.", Organisation.Kind.ASSOCIATION),
    ("Bürgerstiftung {ort}", Organisation.Kind.FOUNDATION),
    ("Heimatverein {ort} e. V.", Organisation.Kind.ASSOCIATION),
    ("Initiative Zukunft {ort}", Organisation.Kind.INITIATIVE),
    ("Förderverein Dorfleben {ort} e. V.", Organisation.Kind.ASSOCIATION),
    ("Ehrenamtsnetz {ort}", Organisation.Kind.INITIATIVE),
    ("Gemeinde {ort}", Organisation.Kind.MUNICIPALITY),
    ("Diakonisches Werk {ort}", Organisation.Kind.ASSOCIATION),
)
FALLBACK_DESCRIPTIONS = (
    "Wir sind ein gemeinnütziger Zusammenschluss engagierter Menschen aus {ort}.",
    "Seit vielen Jahren setzen wir uns in {ort} und Umgebung für ein gutes Miteinander ein.",
    "Unsere Mitglieder arbeiten überwiegend ehrenamtlich und freuen sich über Mitstreiter.",
    "",
)
FALLBACK_ADAPTATIONS = (
    "Das Angebot in {ort} wurde an die kleineren Räume vor Ort angepasst.",
    "In {ort} arbeitet das Team eng mit der Gemeindeverwaltung zusammen.",
    "Die Gruppe in {ort} hat die Öffnungszeiten auf den Abend gelegt.",
    "",
)

_SENTENCE_END = re.compile(
    # Not after abbreviations common in German texts ("e. V.", "z. B.", "ca.") or ordinals.
    r"(?<!\be\.)(?<!\bV\.)(?<!\bz\.)(?<!\bB\.)(?<!\bca\.)(?<!\bbzw\.)(?<!\bNr\.)(?<!\bu\.)"
    r"(?<!\bd\.)(?<!\bh\.)(?<!\bs\.)(?<!\bSt\.)(?<!\d\.)(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])"
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s", re.MULTILINE)
# Figures worth varying: not after "/" (as in "2024/25"), not percentages, hours or ages.
_NUMBER = re.compile(r"(?<![\d.,/])(\d{1,3}(?:\.\d{3})*)(?![\d,])(?!\s*(?:%|Prozent|Uhr|Jahre))")
# A placeholder with the ending the demo text had: "{ort}er Grundschulen", "{ort}s Bäume".
_PLACEHOLDER = re.compile(r"\{(ort|nachbarort)\}(er\w*|s)?")
# Endings of a place name kept when it is replaced: the adjective ("Leipziger") and genitive.
_PLACE_ENDING = r"(?=(?:er\w*|s)?(?!\w))"
# What follows the name proper, dropped before forming the adjective ("Frankfurt am Main").
_NAME_ADDITION = re.compile(r"\s(?:am|an|im|in|ob|bei|vor|auf|unter)\s.*$|\s*\(.*\)$")


class Place(NamedTuple):
    id: int
    name: str
    state: str
    settlement_type: str


class WeightedPlaces:
    """Places drawn by the square root of their population: towns more often than villages,
    but the long tail of small places still gets most projects together."""

    def __init__(self, places: Sequence[Place], populations: Sequence[int]):
        self.places = list(places)
        self.cumulative = list(accumulate(math.sqrt(max(p, 1)) for p in populations))

    def draw(self, rng: random.Random) -> Place:
        index = bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return self.places[min(index, len(self.places) - 1)]


@dataclass
class Template:
    """One demo project made reusable: place names replaced by HOME and OTHER."""

    title: str
    summary: str
    problem: list[str]
    solution: list[str]
    impact: list[str]
    topics: list[str]
    target_groups: list[str]
    transfer_formats: list[str]
    organisation: str
    organisation_kind: str
    operators: list[str]
    adaptations: list[str]

    @property
    def group(self) -> str:
        return self.topics[0] if self.topics else ""


@dataclass
class Corpus:
    templates: list[Template]
    groups: dict[str, list[Template]] = field(default_factory=dict)
    # (group, field name) -> sentences of that field in that group, for swapping.
    sentences: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # group -> (name pattern, kind) of organisations seen doing that kind of project.
    organisations: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    adaptations: list[str] = field(default_factory=list)

    def __post_init__(self):
        for template in self.templates:
            self.groups.setdefault(template.group, []).append(template)
            for name in ("problem", "solution", "impact"):
                pool = self.sentences.setdefault((template.group, name), [])
                for paragraph in getattr(template, name):
                    if not _is_list(paragraph):
                        pool.extend(split_sentences(paragraph))
            names = self.organisations.setdefault(template.group, [])
            # Only names with the place in them can be reused in other places.
            if HOME in template.organisation:
                names.append((template.organisation, template.organisation_kind))
            names.extend(
                (name, Organisation.Kind.ASSOCIATION) for name in template.operators if HOME in name
            )
            self.adaptations.extend(text for text in template.adaptations if text)
        self.adaptations = self.adaptations or [text for text in FALLBACK_ADAPTATIONS if text]

    def organisation_names(self, group: str) -> list[tuple[str, str]]:
        return self.organisations.get(group) or list(GENERIC_ORGANISATIONS)


def split_sentences(paragraph: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(paragraph) if part.strip()]


def _is_list(paragraph: str) -> bool:
    """Markdown lists stay whole: their items are no sentences to swap."""
    return bool(_LIST_ITEM.search(paragraph))


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def _place_name(reference: str | None) -> str:
    return (reference or "").split("|")[0].strip()


def _with_short_names(names: Iterable[str]) -> set[str]:
    """The names and how texts often shorten them: "Frankfurt" for "Frankfurt am Main"."""
    return {form for name in names if name for form in (name, _NAME_ADDITION.sub("", name))}


def _replace_places(text: str, home: Iterable[str], other: Iterable[str]) -> str:
    """Put the placeholders where the demo text names its places (longest names first)."""
    names = [(name, HOME) for name in home if name] + [(name, OTHER) for name in other if name]
    for name, placeholder in sorted(names, key=lambda item: -len(item[0])):
        text = re.sub(rf"(?<!\w){re.escape(name)}{_PLACE_ENDING}", placeholder, text)
    # "im Wedding" was said of a district; a town is "in Hamminkeln".
    return re.sub(r"\bim (?=\{(?:ort|nachbarort)\}(?!\w))", "in ", text)


def place_form(name: str, ending: str) -> str:
    """The place name with the ending the text needs: "Wesel", "Weseler", "Wesels"."""
    if not ending:
        return name
    if ending == "s":
        return name + ("’" if name[-1:] in "sßxz" else "s")
    base = _NAME_ADDITION.sub("", name)
    for quarter in QUARTERS:
        base = base.removesuffix(f"-{quarter}")
    # "Halle" gives "Haller", not "Halleer".
    return base + (ending[1:] if base.endswith("e") else ending)


def _title_pattern(title: str) -> str:
    """A title naming its place; one without gets it after the name of the idea."""
    if HOME in title:
        return title
    for separator in (": ", " – "):
        name, found, rest = title.partition(separator)
        if found:
            return f"{name} in {HOME}{separator}{rest}"
    return f"{title} in {HOME}"


def template_from_record(record: dict, topic_slugs: dict[str, str]) -> Template:
    """A template from a demo record; topic_slugs maps known slugs and German names to slugs."""
    home = _with_short_names(
        [
            _place_name(record.get("municipality")),
            _place_name(record.get("organisation", {}).get("municipality")),
        ]
    )
    sites = record.get("sites", [])
    other = _with_short_names(_place_name(site.get("municipality")) for site in sites) - home

    def clean(text: str) -> str:
        return _replace_places(text or "", home, other)

    organisation = record.get("organisation", {})
    return Template(
        title=_title_pattern(clean(record["title"])),
        summary=clean(record.get("summary", "")),
        problem=_paragraphs(clean(record.get("problem", ""))),
        solution=_paragraphs(clean(record.get("solution", ""))),
        impact=_paragraphs(clean(record.get("impact", ""))),
        topics=[topic_slugs[t] for t in record.get("topics", []) if t in topic_slugs],
        target_groups=list(record.get("target_groups", [])),
        transfer_formats=list(record.get("transfer_formats", [])),
        organisation=clean(organisation.get("name", "")),
        organisation_kind=organisation.get("kind", Organisation.Kind.ASSOCIATION),
        operators=[
            _replace_places(
                site.get("operator", ""),
                _with_short_names([_place_name(site.get("municipality"))]),
                [],
            )
            for site in sites
        ],
        adaptations=[
            # In a site's note its own place is HOME; the places it came from are OTHER.
            _replace_places(
                site.get("adaptation", ""),
                _with_short_names([_place_name(site.get("municipality"))]),
                (home | other) - _with_short_names([_place_name(site.get("municipality"))]),
            )
            for site in sites
        ],
    )


def load_corpus(records: Iterable[dict] | None = None) -> Corpus:
    """The demo records as templates; the built-in fallback joins a corpus of fewer than 10."""
    topic_slugs = {}
    for name, slug in Topic.objects.values_list("name", "slug"):
        topic_slugs[name] = topic_slugs[slug] = slug
    group_slugs = {}
    for name, slug in TargetGroup.objects.values_list("name", "slug"):
        group_slugs[name] = group_slugs[slug] = slug
    records = list(demo_records() if records is None else records)
    if len(records) < 10:
        records += FALLBACK_RECORDS
    templates = []
    for record in records:
        try:
            template = template_from_record(record, topic_slugs)
        except (KeyError, TypeError, AttributeError):
            continue  # A half-written demo record is skipped, not fatal.
        template.target_groups = [
            group_slugs[g] for g in template.target_groups if g in group_slugs
        ]
        templates.append(template)
    if not templates:
        return load_corpus(FALLBACK_RECORDS)
    return Corpus(templates=templates)


class TextMaker:
    """Recombines the corpus into the texts of one synthetic project."""

    def __init__(self, corpus: Corpus, rng: random.Random):
        self.corpus = corpus
        self.rng = rng

    def fill(self, text: str, home: str, other: str) -> str:
        places = {"ort": home, "nachbarort": other}
        return _PLACEHOLDER.sub(
            lambda match: place_form(places[match.group(1)], match.group(2) or ""), text
        )

    def vary_numbers(self, text: str) -> str:
        """Scale the figures a little (not years, not percentages), keeping two digits."""

        def scale(match: re.Match) -> str:
            value = int(match.group(1).replace(".", ""))
            if value < 10 or 1900 <= value <= 2100:
                return match.group(0)
            return f"{vary_figure(value, self.rng):,}".replace(",", ".")

        return _NUMBER.sub(scale, text)

    def section(self, template: Template, name: str) -> str:
        """The template's paragraphs of one field, some sentences swapped within its topic."""
        pool = self.corpus.sentences.get((template.group, name), [])
        paragraphs = []
        for paragraph in getattr(template, name):
            if _is_list(paragraph) or len(pool) < 2:
                paragraphs.append(paragraph)
                continue
            sentences = [
                self.rng.choice(pool) if self.rng.random() < SWAP_SENTENCE else sentence
                for sentence in split_sentences(paragraph)
            ]
            paragraphs.append(" ".join(dict.fromkeys(sentences)))
        return "\n\n".join(paragraphs)

    def summary(self, template: Template, home: str, other: str) -> str:
        return shorten(self.fill(template.summary, home, other), SUMMARY_MAX)


def vary_figure(value: int, rng: random.Random) -> int:
    """The value scaled by 0.6 to 1.6, rounded to two digits as people round figures."""
    scaled = value * rng.uniform(0.6, 1.6)
    digits = max(len(str(int(scaled))) - 2, 0)
    return int(round(scaled, -digits))


def seeded_random(seed: int | None, *key: object) -> random.Random:
    """A random generator of its own for one generated item (None: unseeded).

    What an item gets depends on the seed and its key only, not on what was generated before
    it, so a second run with the same seed can add what is missing and repeat nothing.
    """
    if seed is None:
        return random.Random()
    return random.Random(":".join(map(str, (seed, *key))))


def finish_bulk_load() -> None:
    """After rows were written in bulk: planner statistics, and no cached read (facet counts,
    anonymous pages) outlives them. Without a cache table (createcachetable not run yet)
    nothing is cached either."""
    refresh_planner_statistics()
    with contextlib.suppress(DatabaseError):
        bump_catalog_version()


def shorten(text: str, max_length: int) -> str:
    if len(text) <= max_length:
        return text
    return text[: max_length - 1].rsplit(" ", 1)[0].rstrip(" ,:–-") + "…"


class UniqueNames:
    """Names not yet taken: the pattern in the place, then in a part of it, then numbered."""

    def __init__(self, taken: Iterable[str], max_length: int, fill: Callable[[str, str, str], str]):
        self.taken = set(taken)
        self.max_length = max_length
        self.fill = lambda pattern, home, other: shorten(fill(pattern, home, other), max_length)

    def try_claim(self, pattern: str, home: str, other: str) -> str | None:
        name = self.fill(pattern, home, other)
        if name in self.taken:
            return None
        self.taken.add(name)
        return name

    def claim(self, pattern: str, home: str, other: str) -> str:
        for place in [home, *(f"{home}-{quarter}" for quarter in QUARTERS)]:
            if name := self.try_claim(pattern, place, other):
                return name
        base = self.fill(pattern, home, other)[: self.max_length - 8]
        number = 2
        while f"{base} {number}" in self.taken:
            number += 1
        self.taken.add(f"{base} {number}")
        return f"{base} {number}"


class Slugs:
    """Slugs from a name and a running number, which makes them unique without a query."""

    def __init__(self, taken: Iterable[str], max_length: int, start: int):
        self.taken = set(taken)
        self.max_length = max_length
        self.number = start

    def make(self, name: str, fallback: str) -> str:
        while True:
            self.number += 1
            suffix = f"-{self.number}"
            base = slugify(name)[: self.max_length - len(suffix)].strip("-") or fallback
            slug = base + suffix
            if slug not in self.taken:
                self.taken.add(slug)
                return slug


@dataclass
class OrganisationInfo:
    """An organisation, saved at the start of the batch of its first project."""

    organisation: Organisation
    place: Place
    group: str


@dataclass
class SitePlan:
    place: Place
    status: str
    started_on: datetime.date | None
    ended_on: datetime.date | None = None
    parent: int | None = None
    depth: int = 0
    organisation: OrganisationInfo | None = None
    operator_name: str = ""
    adaptation: str = ""


@dataclass
class ProjectPlan:
    project: Project
    place: Place
    organisation: OrganisationInfo
    sites: list[SitePlan]
    # Term ids by relation name (as in PROJECT_RELATIONS), and the names the index needs.
    relations: dict[str, list[int]]
    term_names: list[str]


@dataclass
class GenerationReport:
    projects: int
    organisations: int
    sites: int
    municipalities_added: int
    seconds: float


class CatalogGenerator:
    """Plans projects in memory and writes them batch by batch."""

    def __init__(self, *, seed: int | None, batch_size: int):
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.corpus = load_corpus()
        self.text = TextMaker(self.corpus, self.rng)
        self._load_places()
        self._load_vocabulary()
        self.project_titles = UniqueNames(
            Project.objects.values_list("title", flat=True), TITLE_MAX, self.text.fill
        )
        self.project_slugs = Slugs(
            Project.objects.values_list("slug", flat=True), SLUG_MAX, Project.objects.count()
        )
        self.organisation_names = UniqueNames(
            Organisation.objects.values_list("name", flat=True),
            ORGANISATION_NAME_MAX,
            self.text.fill,
        )
        self.organisation_slugs = Slugs(
            Organisation.objects.values_list("slug", flat=True),
            Organisation._meta.get_field("slug").max_length,
            Organisation.objects.count(),
        )
        self.organisations_by_group: dict[str, list[OrganisationInfo]] = defaultdict(list)
        self.operators: dict[tuple[str, str], list[OrganisationInfo]] = defaultdict(list)
        self.new_organisations: list[Organisation] = []
        self.organisations_created = 0
        self.sites_created = 0

    def _load_places(self) -> None:
        rows = list(
            Municipality.objects.order_by("id").values_list(
                "id", "name", "state", "settlement_type", "population"
            )
        )
        places = [Place(*row[:4]) for row in rows]
        self.places = WeightedPlaces(places, [row[4] for row in rows])
        by_state: dict[str, list[int]] = defaultdict(list)
        for index, place in enumerate(places):
            by_state[place.state].append(index)
        self.places_by_state = {
            state: WeightedPlaces([places[i] for i in indexes], [rows[i][4] for i in indexes])
            for state, indexes in by_state.items()
        }

    def _load_vocabulary(self) -> None:
        self.topics = dict(Topic.objects.values_list("slug", "id"))
        self.topic_names = dict(Topic.objects.values_list("id", "name"))
        self.target_groups = dict(TargetGroup.objects.values_list("slug", "id"))
        self.target_group_names = dict(TargetGroup.objects.values_list("id", "name"))
        self.formats = dict(TransferFormat.objects.values_list("code", "id"))

    def create_projects(self, count: int, progress: Callable[[int], None]) -> None:
        for start in range(0, count, self.batch_size):
            size = min(self.batch_size, count - start)
            with transaction.atomic():
                self._project_batch(size)
            progress(size)

    def _project_batch(self, size: int) -> None:
        plans = [self._project_plan() for _ in range(size)]
        Organisation.objects.bulk_create(self.new_organisations)
        self.organisations_created += len(self.new_organisations)
        self.new_organisations = []
        for plan in plans:
            plan.project.organisation_id = plan.organisation.organisation.pk
        Project.objects.bulk_create([plan.project for plan in plans])
        self._create_relations(plans)
        self._create_sites(plans)
        get_backend().index(search_row(plan) for plan in plans)

    # Organisations ---------------------------------------------------------------------------

    def _organisation_for(self, group: str) -> OrganisationInfo:
        """A new organisation for one project in four, else one that already does the like."""
        known = self.organisations_by_group[group]
        if known and self.rng.random() >= 0.25:
            return self.rng.choice(known)
        place = self.places.draw(self.rng)
        names = self.corpus.organisation_names(group)
        if self.rng.random() < 0.3:
            names = list(GENERIC_ORGANISATIONS)
        pattern, kind = self.rng.choice(names)
        name = self.organisation_names.claim(pattern, place.name, self._other_place(place).name)
        slug = self.organisation_slugs.make(name, "organisation")
        organisation = Organisation(
            name=name,
            slug=slug,
            kind=kind if kind in Organisation.Kind.values else Organisation.Kind.ASSOCIATION,
            description=self.rng.choice(FALLBACK_DESCRIPTIONS).replace(HOME, place.name),
            municipality_id=place.id,
            website=f"https://{slug}.example" if self.rng.random() < 0.5 else "",
            email=f"kontakt@{slug[:60]}.example",
        )
        self.new_organisations.append(organisation)
        info = OrganisationInfo(organisation, place, group)
        known.append(info)
        self.operators[group, place.state].append(info)
        return info

    # Projects --------------------------------------------------------------------------------

    def _other_place(self, place: Place) -> Place:
        """Another place, mostly in the same state: projects spread to their neighbours."""
        pool = self.places_by_state.get(place.state) if self.rng.random() < 0.6 else None
        for _attempt in range(5):
            other = (pool or self.places).draw(self.rng)
            if other.id != place.id:
                return other
        return other

    def _project_plan(self) -> ProjectPlan:
        template = self.rng.choice(self.corpus.templates)
        organisation = self._organisation_for(template.group)
        place = organisation.place  # Projects start where their organisation is.
        published_at = self.now - datetime.timedelta(
            seconds=self.rng.uniform(0, PUBLISHED_YEARS * 365 * 86400)
        )
        founded_year = max(1985, published_at.year - int(self.rng.expovariate(1 / 4)))
        sites = self._site_plans(template, organisation, founded_year)
        other_place = sites[1].place if len(sites) > 1 else self._other_place(place)
        home, other = place.name, other_place.name
        template, title = self._titled_template(template, home, other)
        relations = self._relations(template)
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        org_slug = organisation.organisation.slug
        text, fill = self.text, self.text.fill
        project = Project(
            title=title,
            slug=self.project_slugs.make(title, "projekt"),
            summary=text.summary(template, home, other),
            problem=fill(text.section(template, "problem"), home, other),
            solution=fill(text.section(template, "solution"), home, other),
            impact=text.vary_numbers(fill(text.section(template, "impact"), home, other)),
            municipality_id=place.id,
            founded_year=founded_year,
            readiness=self._readiness(len(sites) - 1),
            setting=self._setting(place),
            licence=self.rng.choices(list(LICENCE_WEIGHTS), list(LICENCE_WEIGHTS.values()))[0],
            contact_name=f"{first} {last}",
            contact_email=f"{slugify(first)}.{slugify(last)}@{org_slug[:60]}.example",
            website=f"https://{org_slug}.example" if self.rng.random() < 0.4 else "",
            status=Project.Status.PUBLISHED,
            active_site_count=sum(site.status == Site.Status.ACTIVE for site in sites),
            published_at=published_at,
        )
        term_names = [
            " ".join(self.topic_names[i] for i in relations["topics"]),
            " ".join(self.target_group_names[i] for i in relations["target_groups"]),
        ]
        return ProjectPlan(project, place, organisation, sites, relations, term_names)

    def _titled_template(self, template: Template, home: str, other: str) -> tuple[Template, str]:
        """The template with a title still free in this place; another of its topic if that
        is taken (the organisation may run several), so that title and text stay together."""
        group = self.corpus.groups[template.group]
        for candidate in [template, *self.rng.sample(group, len(group))]:
            if title := self.project_titles.try_claim(candidate.title, home, other):
                return candidate, title
        return template, self.project_titles.claim(template.title, home, other)

    def _relations(self, template: Template) -> dict[str, list[int]]:
        topics = [self.topics[slug] for slug in template.topics if slug in self.topics]
        if not topics or self.rng.random() < 0.15:
            topics.append(self.rng.choice(list(self.topics.values())))
        groups = [self.target_groups[s] for s in template.target_groups if s in self.target_groups]
        if not groups:
            groups.append(self.rng.choice(list(self.target_groups.values())))
        formats = [self.formats[c] for c in template.transfer_formats if c in self.formats]
        if not formats:
            formats = self.rng.sample(list(self.formats.values()), self.rng.randint(1, 2))
        return {
            "topics": list(dict.fromkeys(topics)),
            "target_groups": list(dict.fromkeys(groups)),
            "transfer_formats": list(dict.fromkeys(formats)),
        }

    def _readiness(self, copies: int) -> str:
        if copies and self.rng.random() < 0.8:
            return Readiness.PROVEN
        return self.rng.choice([Readiness.READY, Readiness.READY, Readiness.PREPARING])

    def _setting(self, place: Place) -> str:
        if self.rng.random() < 0.3:
            return Setting.BOTH
        rural = place.settlement_type in SettlementType.rural_values()
        return Setting.RURAL if rural else Setting.URBAN

    # Sites -----------------------------------------------------------------------------------

    def _site_plans(
        self, template: Template, organisation: OrganisationInfo, founded_year: int
    ) -> list[SitePlan]:
        """The origin (like project_create makes it) and copies, some copied from copies."""
        origin = SitePlan(
            place=organisation.place,
            status=Site.Status.ACTIVE,
            started_on=datetime.date(founded_year, 1, 1),
            organisation=organisation,
        )
        sites = [origin]
        used = {origin.place.id}
        for _ in range(self.rng.choices(COPY_COUNTS, COPY_WEIGHTS)[0]):
            parents = [i for i, site in enumerate(sites) if site.status != Site.Status.PLANNED]
            parent = self.rng.choices(parents, [3 if i == 0 else 1 for i in parents])[0]
            place = self._other_place(sites[parent].place)
            if place.id in used:
                place = self._other_place(origin.place)
            used.add(place.id)
            sites.append(self._copy_plan(template, sites[parent], parent, place))
        return sites

    def _copy_plan(
        self, template: Template, parent: SitePlan, parent_index: int, place: Place
    ) -> SitePlan:
        site = SitePlan(
            place=place,
            status=Site.Status.ACTIVE,
            started_on=None,
            parent=parent_index,
            depth=parent.depth + 1,
        )
        self._copy_dates(site, parent)
        operators = self.operators.get((template.group, place.state))
        if operators and self.rng.random() < 0.35:
            site.organisation = self.rng.choice(operators)
        else:
            pattern, _kind = self.rng.choice(self.corpus.organisation_names(template.group))
            site.operator_name = shorten(
                self.text.fill(pattern, place.name, parent.place.name), OPERATOR_MAX
            )
        if self.rng.random() < 0.7:
            note = self.rng.choice(self.corpus.adaptations)
            site.adaptation = self.text.fill(note, place.name, parent.place.name)
        return site

    def _copy_dates(self, site: SitePlan, parent: SitePlan) -> None:
        """A copy starts half a year or more after its parent; young ones are still planned."""
        earliest = parent.started_on + datetime.timedelta(days=180)
        days_left = (self.today - earliest).days
        status = self.rng.choices(
            [Site.Status.ACTIVE, Site.Status.PLANNED, Site.Status.ENDED], [75, 10, 15]
        )[0]
        if status == Site.Status.PLANNED or days_left < 30:
            site.status = Site.Status.PLANNED
            if self.rng.random() < 0.7:
                site.started_on = self.today + datetime.timedelta(days=self.rng.randint(20, 270))
            return
        site.started_on = earliest + datetime.timedelta(days=self.rng.randint(0, days_left))
        running = (self.today - site.started_on).days
        if status == Site.Status.ENDED and running > 365:
            site.status = Site.Status.ENDED
            site.ended_on = site.started_on + datetime.timedelta(
                days=self.rng.randint(365, running)
            )

    def _create_relations(self, plans: list[ProjectPlan]) -> None:
        for name in PROJECT_RELATIONS:
            relation = Project._meta.get_field(name)
            through = relation.remote_field.through
            column = relation.m2m_reverse_name()
            through.objects.bulk_create(
                through(project_id=plan.project.pk, **{column: term_id})
                for plan in plans
                for term_id in plan.relations[name]
            )

    def _create_sites(self, plans: list[ProjectPlan]) -> None:
        """Sites generation by generation, so that each copy can point at its saved parent."""
        by_depth: dict[int, list[tuple[Site, list[Site], SitePlan]]] = defaultdict(list)
        for plan in plans:
            siblings: list[Site] = []
            for index, site_plan in enumerate(plan.sites):
                operator = site_plan.organisation
                site = Site(
                    project_id=plan.project.pk,
                    municipality_id=site_plan.place.id,
                    organisation_id=operator.organisation.pk if operator else None,
                    operator_name=site_plan.operator_name,
                    started_on=site_plan.started_on,
                    ended_on=site_plan.ended_on,
                    status=site_plan.status,
                    is_origin=index == 0,
                    adaptation_notes=site_plan.adaptation,
                )
                siblings.append(site)
                by_depth[site_plan.depth].append((site, siblings, site_plan))
        for depth in sorted(by_depth):
            sites = []
            for site, siblings, site_plan in by_depth[depth]:
                if site_plan.parent is not None:
                    site.copied_from_id = siblings[site_plan.parent].pk
                sites.append(site)
            Site.objects.bulk_create(sites)
            self.sites_created += len(sites)


def search_row(plan: ProjectPlan) -> tuple[int, str, str]:
    """(id, title, body) like apps.search.services.project_search_text, from memory only."""
    project = plan.project
    body = " ".join(
        [
            project.summary,
            project.problem,
            project.solution,
            project.impact,
            *plan.term_names,
            plan.place.name,
            plan.organisation.organisation.name,
        ]
    )
    return project.pk, project.title, body


def generate_catalog(
    *,
    projects: int,
    seed: int | None = None,
    batch_size: int = 1000,
    progress: Callable[[int], None] = lambda done: None,
) -> GenerationReport:
    """Add `projects` published synthetic projects, about a quarter as many organisations and
    their sites, all in the search index. Loads the municipalities first if there are none."""
    started = time.perf_counter()
    added = 0 if Municipality.objects.exists() else municipalities_load()
    generator = CatalogGenerator(seed=seed, batch_size=batch_size)
    generator.create_projects(projects, progress)
    finish_bulk_load()
    return GenerationReport(
        projects=projects,
        organisations=generator.organisations_created,
        sites=generator.sites_created,
        municipalities_added=added,
        seconds=time.perf_counter() - started,
    )
