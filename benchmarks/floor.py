"""The plain C floor (benchmarks/floor.c), compiled at benchmark time with the machine's C
compiler and called through ctypes. ``load()`` returns ``None`` where no compiler works:
the benchmark then says the floor was not measured."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
_DOUBLES = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
_LONGS = np.ctypeslib.ndpointer(dtype=np.int64, flags="C_CONTIGUOUS")


class Floor:
    """The compiled loops, with numpy in and out."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self.library = library
        library.dp2_l2.argtypes = [_DOUBLES, ctypes.c_long, ctypes.c_long, ctypes.c_long, _LONGS]
        library.dp2_l2.restype = None
        for name in ("pelt_l2", "pelt_poisson"):
            function = getattr(library, name)
            function.argtypes = [_DOUBLES, ctypes.c_long, ctypes.c_double, _LONGS]
            function.restype = ctypes.c_double

    def dp2(self, values: np.ndarray, min_size: int) -> np.ndarray:
        """Break indices ``(rows, 2)`` of the exact two-break optimum (l2 cost)."""
        rows, n = values.shape
        out = np.zeros((rows, 2), dtype=np.int64)
        self.library.dp2_l2(np.ascontiguousarray(values, dtype=float), rows, n, min_size, out)
        return out

    def pelt(self, values: np.ndarray, penalty: float, model: str) -> list[int]:
        """Break indices of PELT (min_size 1) on one series, ``model`` l2 or poisson."""
        n = values.size
        last = np.zeros(n + 1, dtype=np.int64)
        function = self.library.pelt_l2 if model == "l2" else self.library.pelt_poisson
        function(np.ascontiguousarray(values, dtype=float), n, penalty, last)
        breaks, position = [], n
        while position > 0:
            position = int(last[position])
            if position > 0:
                breaks.append(position)
        return breaks[::-1]


def load() -> Floor | None:
    """Compile floor.c (gcc or cc, -O3, one core) into a temporary folder and load it."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="periodize-floor-"))
    target = folder / "floor.so"
    done = subprocess.run(
        [
            compiler,
            "-O3",
            "-march=native",
            "-shared",
            "-fPIC",
            str(HERE / "floor.c"),
            "-o",
            str(target),
            "-lm",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return None
    return Floor(ctypes.CDLL(str(target)))
