"""The limits of power(): each names its own parameter and the range it takes."""

import pytest

import periodize as pz
from periodize.exceptions import ParameterError


def test_power_limits_name_their_own_parameters():
    with pytest.raises(ParameterError, match=r"'n_rep' parameter of power must be at most"):
        pz.power(range(1990, 2021), [2000], base_rates=[1], rate_ratios=[2], n_rep=10**9)
    with pytest.raises(ParameterError, match=r"at most 10,000,000 events per dyad and year"):
        pz.power(range(1990, 2021), [2000], base_rates=[1e300], rate_ratios=[2], n_rep=100)
