"""How arrays are handed to the compiled kernels: one array type per argument.

numba compiles a kernel once for every combination of its arguments' types, and a
read-only array (pandas' arrays, ``np.broadcast_to``, a user's frozen array) is a
different type from a writable one, as are the layouts. A kernel fed both compiles twice
(on a new installation, several seconds each for the parallel ones). Every array a kernel
only reads goes through :func:`frozen`, which makes it the one type the kernel is
compiled for: C-contiguous, read-only, of the given dtype. It copies only to change the
dtype or the layout; freezing is a view.

Examples
--------
>>> import numpy as np
>>> x = np.arange(3.0)
>>> y = frozen(x)
>>> y.flags.writeable, x.flags.writeable, np.shares_memory(x, y)
(False, True, True)
>>> frozen(np.broadcast_to([1, 2], (2, 2)), np.int64).flags.c_contiguous
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike


def frozen(values: ArrayLike, dtype: DTypeLike = np.float64) -> np.ndarray:
    """``values`` as a read-only, C-contiguous array of ``dtype`` (a view when it already is
    one of that dtype and layout)."""
    array = np.ascontiguousarray(values, dtype=dtype).view()
    array.flags.writeable = False
    return array
