"""Distances between places on the earth's surface, for "nearest site" and radius searches."""

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.32


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude rectangle that contains every point within a radius of a centre.

    Used as a cheap, index-friendly prefilter before the exact haversine distance.
    """

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @classmethod
    def around(cls, lat: float, lon: float, radius_km: float) -> "BoundingBox":
        d_lat = radius_km / KM_PER_DEGREE_LATITUDE
        # Longitude degrees shrink towards the poles; clamp so the box stays finite.
        cos_lat = max(math.cos(math.radians(lat)), 0.01)
        d_lon = radius_km / (KM_PER_DEGREE_LATITUDE * cos_lat)
        return cls(lat - d_lat, lat + d_lat, lon - d_lon, lon + d_lon)

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def as_lookup(self, prefix: str = "") -> dict[str, float]:
        """Queryset filter arguments, e.g. as_lookup("municipality__")."""
        return {
            f"{prefix}latitude__gte": self.min_lat,
            f"{prefix}latitude__lte": self.max_lat,
            f"{prefix}longitude__gte": self.min_lon,
            f"{prefix}longitude__lte": self.max_lon,
        }
