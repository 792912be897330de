"""Start-up costs, each sample in a fresh interpreter (asv ``timeraw_``).

* ``Startup.timeraw_import``: ``import fastreg`` against
  ``import sklearn.linear_model``, after ``import numpy`` (untimed).
* ``Startup.timeraw_first_call``: the first ``lasso_path`` call of a new
  process on a 200 x 50 dense float64 problem, 10 alphas, after the (untimed)
  import. For fastreg this loads the compiled kernels from Numba's on-disk
  cache, which the untimed setup first fills by running the same call in
  another process ("warm cache": what every run after the first sees).
* ``FirstCallColdCache.timeraw_first_call_cold_cache``: the same first call of
  fastreg with ``NUMBA_CACHE_DIR`` set to a new empty directory (deleted at
  exit), so every kernel it needs is compiled: the one-off cost after install.

The timed code strings avoid backslashes and triple quotes (asv pastes them
into a triple-quoted string).
"""

from ._common import LIBRARIES

_PROBLEM = ("import numpy as np; "
            "rng = np.random.default_rng(0); "
            "X = np.asfortranarray(rng.standard_normal((200, 50))); "
            "y = X[:, :5].sum(axis=1) + rng.standard_normal(200)")
_CALL = "lasso_path(X, y, alphas=10, tol=1e-4)"
_IMPORT = {
    "fastreg": "from fastreg import lasso_path",
    "sklearn": "from sklearn.linear_model import lasso_path",
}


class Startup:
    """Import time and first-call time in a fresh process, per library."""

    params = (LIBRARIES,)
    param_names = ("library",)
    repeat = (3, 10, 30.0)
    timeout = 180

    def timeraw_import(self, library):
        module = "fastreg" if library == "fastreg" else "sklearn.linear_model"
        return f"import {module}", "import numpy"

    def timeraw_first_call(self, library):
        populate = f"{_PROBLEM}; {_IMPORT[library]}; {_CALL}"
        setup = "\n".join([
            "import subprocess, sys",
            f"subprocess.run([sys.executable, '-c', '{populate}'], check=True)",
            _PROBLEM,
            _IMPORT[library],
        ])
        return _CALL, setup


class FirstCallColdCache:
    """fastreg's first call with an empty Numba cache (compiles its kernels)."""

    repeat = (2, 3, 60.0)
    timeout = 300

    def timeraw_first_call_cold_cache(self):
        setup = "\n".join([
            "import atexit, os, shutil, tempfile",
            "cache_dir = tempfile.mkdtemp(prefix='fastreg_asv_numba_')",
            "atexit.register(shutil.rmtree, cache_dir, True)",
            "os.environ['NUMBA_CACHE_DIR'] = cache_dir",
            _PROBLEM,
            _IMPORT["fastreg"],
        ])
        return _CALL, setup
