"""Error messages in the command line's terms.

The library's messages name Python parameters (``The 'min_size' parameter of segment``,
``model='quasipoisson'``, ``pass missing='skip'``); on the command line the same advice
must name the flags (``--min-size``, ``--model quasipoisson``, ``--missing skip``). Only
names that are options of the subcommand that failed are rewritten, so a message never
names a flag the command does not have.
"""

from __future__ import annotations

import argparse
import re

#: Parameters whose flag is not named after them.
_ALIASES = {"overwrite": "force", "boundaries": "hypothesis", "rng": "rng"}

_PARAMETER = re.compile(r"\b[Tt]he '(?P<name>\w+)' parameter of \w+")
_ASSIGNMENT = re.compile(r"\b(?P<name>[a-z_]+)=(?P<quote>['\"]?)(?P<value>[\w.,-]+)(?P=quote)")
#: Parameters that hold the data a command read (never a flag of the same name).
_DATA = {"series": "the series", "events": "the event table", "frame": "the series"}
#: Advice that only a Python caller can follow.
_PYTHON_ONLY = (", or pass the IntensitySeries itself",)
_MODEL = re.compile(r"\b(?P<verb>use|for|with|from) the (?P<model>\w+) model\b(?!')")


def flags(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """Each destination of the options of ``parser``'s subcommand ``command`` and its long
    flag."""
    commands: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse keeps the subcommands here
        if isinstance(action, argparse._SubParsersAction):
            commands = dict(action.choices)
    found = {}
    for action in commands[command]._actions:
        long = [o for o in action.option_strings if o.startswith("--")]
        if long:
            found[action.dest] = long[0]
    return found


def in_cli_terms(message: str, options: dict[str, str]) -> str:
    """``message`` with the parameters the subcommand has as flags written as flags.

    Examples
    --------
    >>> options = {"model": "--model", "min_size": "--min-size", "missing": "--missing"}
    >>> in_cli_terms("The 'min_size' parameter of segment must be >= 2.", options)
    '--min-size must be >= 2.'
    >>> in_cli_terms("use the quasipoisson model, or pass missing='skip'.", options)
    'use --model quasipoisson, or pass --missing skip.'
    >>> in_cli_terms("The 'series' parameter of segment must hold counts.", options)
    'The series must hold counts.'
    >>> in_cli_terms("the residuals from the normal model's fit", options)
    "the residuals from the normal model's fit"
    """

    def flag(name: str) -> str | None:
        return options.get(name) or options.get(_ALIASES.get(name, ""))

    def parameter(match: re.Match[str]) -> str:
        if match["name"] in _DATA:
            data = _DATA[match["name"]]
            return data.capitalize() if match[0].startswith("T") else data
        name = flag(match["name"])
        return name if name else match[0]

    def assignment(match: re.Match[str]) -> str:
        name = flag(match["name"])
        if name is None:
            return match[0]
        value = match["value"]
        return name if value == "True" else f"{name} {value}"

    def model(match: re.Match[str]) -> str:
        if "model" not in options:
            return match[0]
        return f"{match['verb']} {options['model']} {match['model']}"

    text = message
    for phrase in _PYTHON_ONLY:
        text = text.replace(phrase, "")
    text = _PARAMETER.sub(parameter, text)
    text = _ASSIGNMENT.sub(assignment, text)
    return _MODEL.sub(model, text)
