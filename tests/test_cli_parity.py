"""Every analysis option of the Python API has its flag on the command that runs it, with
the same default (issue #25 item 2); what is not on the command line says why."""

import argparse
import inspect

import pytest

import periodize as pz
from periodize.cli.parser import build
from periodize.distributed import panel

#: command -> (the function it runs, flags named otherwise than the parameter)
COMMANDS = {
    "study": (
        pz.study,
        {"hypothesis": "hypothesis", "events": "events", "indicators": "indicator"},
    ),
    "explore": (pz.explore, {"events": "events"}),
    "detect": (pz.segment, {"n_breaks": "breaks", "series": "file"}),
    "intensity": (pz.intensity, {"events": "events"}),
    "power": (pz.power, {}),
    "monitor": (pz.monitor, {"series": "events"}),
    "simulate": (pz.simulate_events, {"n_dyads": "dyads"}),
    "panel": (panel, {"series": "events", "competing": "compare", "client": "scheduler"}),
}
#: parameters with no flag, and why
NOT_ON_THE_COMMAND_LINE = {
    ("study", "command"): "the report records the command line itself",
    ("study", "progress"): "--quiet turns the progress lines off",
    ("detect", "exposure"): "a file of series carries no exposure; the API takes one",
    ("simulate", "level_mix"): "a mapping of probabilities; the API takes it",
    ("simulate", "kind_mix"): "a mapping of probabilities; the API takes it",
    ("simulate", "documents"): "a mapping of probabilities; the API takes it",
    ("simulate", "stream"): "an in-memory generator for the benchmarks, not a file",
    ("simulate", "chunk_dyads"): "only with stream",
    ("simulate", "columnar"): "an in-memory layout for the benchmarks, not a file",
}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def options(command: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.dest: a for a in command._actions}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_parameter_has_a_flag_or_a_reason(name):
    function, renamed = COMMANDS[name]
    flags = options(subcommands()[name])
    missing = [
        p
        for p in inspect.signature(function).parameters
        if renamed.get(p, p) not in flags and (name, p) not in NOT_ON_THE_COMMAND_LINE
    ]
    assert missing == [], f"periodize {name} has no flag for {missing}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_shared_defaults_agree(name):
    """A flag and its parameter start from the same value (the CLI may state a default
    the API leaves to the data, such as a model; those are listed here)."""
    function, renamed = COMMANDS[name]
    flags = options(subcommands()[name])
    own_defaults = {("detect", "model"), ("detect", "penalty"), ("detect", "n_breaks")}
    differ = []
    for parameter, spec in inspect.signature(function).parameters.items():
        action = flags.get(renamed.get(parameter, parameter))
        if (
            action is None
            or spec.default is inspect.Parameter.empty
            or (name, parameter) in (own_defaults)
        ):
            continue
        if action.default is not None and action.default != spec.default:
            differ.append((parameter, action.default, spec.default))
    assert differ == []
