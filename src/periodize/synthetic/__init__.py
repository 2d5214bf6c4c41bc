"""Synthetic event sets and series with known truth."""

from .events import EventColumns
from .power import Power, power
from .simulate import simulate_events, stream_intensity

__all__ = ["EventColumns", "Power", "power", "simulate_events", "stream_intensity"]
