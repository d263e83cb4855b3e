"""Where places are, offline: US ZIP centroids from the `zipcodes` wheel, explicit coordinates otherwise."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from returnflow.domain.errors import ValidationFailed
from returnflow.domain.geography import Coordinates, great_circle_km

__all__ = ["Coordinates", "Place", "PostalCodeUnknown", "great_circle_km", "locate", "place"]


class PostalCodeUnknown(ValidationFailed):
    """A postal code with no known location (and no explicit coordinates given)."""


@dataclass(frozen=True, slots=True)
class Place:
    """A postal code's centroid, with the city and region a label prints."""

    point: Coordinates
    city: str
    region: str


@functools.cache
def _us_index() -> dict[str, Place]:
    # zipcodes ships its data inside the wheel; one pass builds an O(1) index (its own lookup scans).
    import zipcodes

    return {
        z["zip_code"]: Place(Coordinates(float(z["lat"]), float(z["long"])), z["city"], z["state"])
        for z in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if z.get("lat") and z.get("long")
    }


def place(postal_code: str, country: str) -> Place | None:
    """The centroid of a postal code we know (US ZIP or ZIP+4), else None."""
    if country.upper() != "US":
        return None
    return _us_index().get(postal_code.strip()[:5])


def locate(postal_code: str, country: str, lat: float | None = None, lon: float | None = None) -> Coordinates:
    """Explicit coordinates when given, else the postal-code centroid, else an error naming the code."""
    if lat is not None and lon is not None:
        return Coordinates(lat, lon)
    found = place(postal_code, country)
    if found is None:
        hint = "" if country.upper() == "US" else " (outside the US, give latitude and longitude)"
        raise PostalCodeUnknown(
            f"postal code {postal_code} ({country.upper()}) is not known{hint}",
            code="postal_code_not_found",
        )
    return found.point
