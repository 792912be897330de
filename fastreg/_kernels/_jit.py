"""The one place that sets Numba's jit options for every fastreg kernel.

``cache=True`` keeps the compiled machine code on disk so a fresh process pays
only the load, not the compile; ``nogil=True`` lets callers run kernels from
threads. Kernels are compiled lazily on first call (no signatures here), so
importing fastreg compiles nothing.

``reduction_jit`` additionally allows re-association and FMA contraction only:
enough for LLVM to vectorize sums and dot products, without the
finite-math / no-NaN assumptions of a blanket ``fastmath=True`` (which would
let the compiler drop NaN and inf checks).
"""

import numba

_OPTIONS = dict(cache=True, nogil=True, error_model="numpy")

jit = numba.njit(**_OPTIONS)

reduction_jit = numba.njit(**_OPTIONS, fastmath={"reassoc", "contract"})
