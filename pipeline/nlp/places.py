"""The city's districts (Stadtteile) from data/places/*.toml: the one reader of that file.

Used by the extraction component `komo_districts` (district names in the text) and by the store
(`districts` table: the press archive's `stadtteil=` URL codes → district).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .lexicon import load_toml

DEFAULT_PLACES = "places/leverkusen-districts.toml"


@dataclass(frozen=True)
class District:
    name: str
    stadtbezirk: str | None
    aliases: tuple[str, ...]
    archive_codes: tuple[tuple[str, int], ...]  # (source, code), in file order

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Every written form that counts as this district in a text: name first, then aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Places:
    city: str
    districts: tuple[District, ...]

    def surface_names(self) -> dict[str, str]:
        """Written form → canonical district name."""
        found: dict[str, str] = {}
        for district in self.districts:
            for surface in district.surfaces:
                if found.setdefault(surface, district.name) != district.name:
                    raise ValueError(f"{surface!r} belongs to two districts: {found[surface]!r} and {district.name!r}")
        return found

    def table_rows(self) -> list[dict[str, Any]]:
        """Rows of the store's `districts` table: one per district × source × archive code; a
        district without codes gets one row with source and archive_code NULL."""
        rows = []
        for district in self.districts:
            base = {"city": self.city, "district": district.name, "stadtbezirk": district.stadtbezirk}
            codes = district.archive_codes or ((None, None),)
            rows.extend(dict(base, source=source, archive_code=code) for source, code in codes)
        return rows


@lru_cache(maxsize=8)
def load_places(path: str = DEFAULT_PLACES) -> Places:
    """Read and check a districts file (path absolute or relative to data/)."""
    data = load_toml(path)
    city = data.get("city")
    if not isinstance(city, str) or not city.strip():
        raise ValueError(f"{path}: `city` is missing")
    districts = []
    for number, entry in enumerate(data.get("district", []), 1):
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{path}: district {number} has no name")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError(f"{path}: aliases of {name!r} must be a list of names")
        codes = entry.get("archive_codes", {})
        if not isinstance(codes, dict):
            raise ValueError(f"{path}: archive_codes of {name!r} must be a table of source = [codes]")
        pairs = []
        for source, values in codes.items():
            if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                       for v in values):
                raise ValueError(f"{path}: archive codes of {name!r} for {source!r} must be whole numbers")
            pairs.extend((source, value) for value in values)
        stadtbezirk = entry.get("stadtbezirk")
        districts.append(District(name.strip(), str(stadtbezirk) if stadtbezirk is not None else None,
                                  tuple(a.strip() for a in aliases), tuple(pairs)))
    if not districts:
        raise ValueError(f"{path}: no [[district]] entries")
    places = Places(city.strip(), tuple(districts))
    places.surface_names()  # a surface claimed by two districts is an error in the file
    return places
