from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class FederalState(models.TextChoices):
    BADEN_WUERTTEMBERG = "BW", _("Baden-Württemberg")
    BAVARIA = "BY", _("Bavaria")
    BERLIN = "BE", _("Berlin")
    BRANDENBURG = "BB", _("Brandenburg")
    BREMEN = "HB", _("Bremen")
    HAMBURG = "HH", _("Hamburg")
    HESSE = "HE", _("Hesse")
    MECKLENBURG_WESTERN_POMERANIA = "MV", _("Mecklenburg-Western Pomerania")
    LOWER_SAXONY = "NI", _("Lower Saxony")
    NORTH_RHINE_WESTPHALIA = "NW", _("North Rhine-Westphalia")
    RHINELAND_PALATINATE = "RP", _("Rhineland-Palatinate")
    SAARLAND = "SL", _("Saarland")
    SAXONY = "SN", _("Saxony")
    SAXONY_ANHALT = "ST", _("Saxony-Anhalt")
    SCHLESWIG_HOLSTEIN = "SH", _("Schleswig-Holstein")
    THURINGIA = "TH", _("Thuringia")


class SettlementType(models.TextChoices):
    """The BBSR classes of municipalities by size, from village to city."""

    RURAL = "rural", _("Rural community (under 5,000)")
    SMALL_TOWN = "small_town", _("Small town (5,000–20,000)")
    MEDIUM_TOWN = "medium_town", _("Medium-sized town (20,000–100,000)")
    CITY = "city", _("City (100,000 and more)")

    @classmethod
    def for_population(cls, population: int) -> "SettlementType":
        if population < 5_000:
            return cls.RURAL
        if population < 20_000:
            return cls.SMALL_TOWN
        if population < 100_000:
            return cls.MEDIUM_TOWN
        return cls.CITY

    @classmethod
    def rural_values(cls) -> list[str]:
        return [cls.RURAL, cls.SMALL_TOWN]


class Municipality(models.Model):
    """A German place people live in: a municipality, town, village or city district."""

    class Source(models.TextChoices):
        GEONAMES = "geonames", "GeoNames"
        CURATED = "curated", _("Curated data file")
        MODERATOR = "moderator", _("Added by a moderator")

    name = models.CharField(_("name"), max_length=120, db_index=True)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    state = models.CharField(_("federal state"), max_length=2, choices=FederalState.choices)
    district = models.CharField(_("district"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), default=0)
    settlement_type = models.CharField(
        _("settlement type"), max_length=12, choices=SettlementType.choices, db_index=True
    )
    # Known only where someone set it: GeoNames, our main source, carries no AGS.
    ags = models.CharField(
        _("official municipality key (AGS)"),
        max_length=8,
        blank=True,
        db_index=True,
        validators=[
            RegexValidator(r"^\d{8}$", _("The official municipality key has exactly 8 digits."))
        ],
    )
    geonames_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MODERATOR)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        indexes = [models.Index(fields=["-population"], name="municipality_population_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Name with its state, so that the 600 German names used more than once stay apart."""
        return municipality_label(self.name, self.state)

    @property
    def is_rural(self) -> bool:
        return self.settlement_type in SettlementType.rural_values()

    def save(self, *args, **kwargs):
        if not self.settlement_type:
            self.settlement_type = SettlementType.for_population(self.population)
        super().save(*args, **kwargs)


def state_name(code: str) -> str:
    """The federal state's name in the current language; an unknown code stays as it is."""
    try:
        return str(FederalState(code).label)
    except ValueError:
        return code


def municipality_label(name: str, state: str) -> str:
    """'Name (State)' from plain values, e.g. from a values_list() without the model."""
    return f"{name} ({state_name(state)})"
