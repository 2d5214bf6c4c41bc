"""Machine-coded event archives in: ICEWS, POLECAT, GDELT and Phoenix readers, country
codes, code tables shipped with their sources, and a concordance with hand-coded lists."""

from .account import MERGE_REASONS, REASONS, RowAccount, row_account
from .concordance import DEFAULT_KIND_PAIRS, Concordance, concordance
from .countries import (
    cameo_to_iso,
    cow_to_iso,
    gw_to_iso,
    icews_to_iso,
    iso_to_cow,
    iso_to_gw,
    state_name_to_iso,
)
from .exposure import exposure
from .mapping import KIND_PRESETS, MACHINE_KINDS, MACHINE_LEVELS, KindMapping, kind_mapping
from .readers import read_gdelt, read_icews, read_phoenix, read_polecat
from .tables import QUAD_CLASSES, cameo_codes, column_list, goldstein_values, table_source

__all__ = [
    "DEFAULT_KIND_PAIRS",
    "KIND_PRESETS",
    "MACHINE_KINDS",
    "MACHINE_LEVELS",
    "MERGE_REASONS",
    "QUAD_CLASSES",
    "REASONS",
    "Concordance",
    "KindMapping",
    "RowAccount",
    "cameo_codes",
    "cameo_to_iso",
    "column_list",
    "concordance",
    "cow_to_iso",
    "exposure",
    "goldstein_values",
    "gw_to_iso",
    "icews_to_iso",
    "iso_to_cow",
    "iso_to_gw",
    "kind_mapping",
    "read_gdelt",
    "read_icews",
    "read_phoenix",
    "read_polecat",
    "row_account",
    "state_name_to_iso",
    "table_source",
]
