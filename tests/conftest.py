import pandas as pd
import pytest

pd.set_option("display.width", 120)


@pytest.fixture
def good_events() -> pd.DataFrame:
    """A small valid event table, as a user would type it."""
    return pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "date": ["1993-10", "1998-03-17", "2024"],
            "actor": ["KAZ", "MNG", "MNG"],
            "target": ["MNG", "KAZ", "KAZ"],
            "level": ["head_of_state", "head_of_state", "head_of_state"],
            "kind": ["official_visit", "official_visit", "multilateral_meeting"],
            "documents_signed": ["1", None, None],
        }
    )
