"""Event tables: schema, vocabularies, validation, reading and writing."""

from .io import read_events, write_events
from .schema import DERIVED, OPTIONAL, REQUIRED, validate_events
from .vocabulary import CONFIDENCE, KINDS, LEVELS, PRECISIONS, iso3166_alpha3

__all__ = [
    "CONFIDENCE",
    "DERIVED",
    "KINDS",
    "LEVELS",
    "OPTIONAL",
    "PRECISIONS",
    "REQUIRED",
    "iso3166_alpha3",
    "read_events",
    "validate_events",
    "write_events",
]
