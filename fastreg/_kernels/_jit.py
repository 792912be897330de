"""The one place that sets Numba's jit options for every fastreg kernel.

``cache=True`` keeps the compiled machine code on disk so a fresh process pays
only the load, not the compile; ``nogil=True`` lets callers run kernels from
threads. Kernels are compiled lazily on first call (no signatures here), so
importing fastreg compiles nothing.

``reduction_jit`` additionally allows re-association and FMA contraction only:
enough for LLVM to vectorize sums and dot products, without the
finite-math / no-NaN assumptions of a blanket ``fastmath=True`` (which would
let the compiler drop NaN and inf checks).

Where the cache goes. Numba looks for a writable place when a kernel is
decorated (at import): ``NUMBA_CACHE_DIR`` if set, ``__pycache__`` next to the
kernel's source, then the user's cache directory under ``$HOME``. On a
read-only install with no writable home (a container running as non-root,
serverless functions, some clusters) none exists and Numba raises
``RuntimeError: cannot cache function ...: no locator available``, which would
make ``import fastreg`` fail. Then, and only then, the kernels are cached in a
private directory under the system's temporary directory (or, if even that
cannot be had, compiled in memory without a disk cache), with one warning that
says how to choose a lasting place.

When the cache is stale. Numba stamps a function's cache with the source of
its own module only, yet its machine code holds the kernels it calls from
other modules (Numba compiles them in): after an edit of ``cycle.py``, the
cached ``cd_gram.gram_path`` would go on running the old cycle. A checkout
updated in place (``git pull`` on an editable install) changes only the files
that changed, so this is not hypothetical: measured, with the Newton step of
``cycle.refined_solve`` switched off, the cached diabetes path went on taking
it (232 sweeps, the same bits) until its cache was cleared (238 sweeps). So
every fastreg kernel's stamp also covers the source of every kernel module
(:func:`kernels_digest`): an edit of any of them recompiles all of them on
first use.
"""

import functools
import hashlib
import os
import stat
import tempfile
import warnings

import numba
import numba.extending
from numba.core import config as _numba_config

_OPTIONS = dict(cache=True, nogil=True, error_model="numpy")

# The directory used when Numba finds no cache locator: None until first
# needed, then a path, or "" for "no disk cache at all".
_fallback_dir = None


def _private_temp_dir():
    """A cache directory under the temporary directory that only this user can write.

    Numba's cache files are pickles, so a directory that another user could
    have planted files in must not be used: a fixed per-user name is reused
    only when it is ours and writable by nobody else (then later processes load
    what earlier ones compiled); anything else gets a fresh ``mkdtemp``
    directory for this process. Returns ``""`` when no directory can be made.
    """
    base = tempfile.gettempdir()
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        path = os.path.join(base, f"fastreg-numba-cache-{getuid()}")
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            info = os.lstat(path)
            if (stat.S_ISDIR(info.st_mode) and info.st_uid == getuid()
                    and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                    and os.access(path, os.W_OK | os.X_OK)):
                return path
        except OSError:
            pass
    try:
        return tempfile.mkdtemp(prefix="fastreg-numba-cache-")
    except OSError:
        return ""


def _fallback_cache_dir(error):
    """Choose the fallback once per process and warn about it once."""
    global _fallback_dir
    if _fallback_dir is None:
        _fallback_dir = _private_temp_dir()
        where = (f"in the temporary directory {_fallback_dir!r}, which lasts only until the "
                 "system cleans it" if _fallback_dir else
                 "nowhere (no writable temporary directory either): every new process "
                 "compiles the kernels it uses again")
        warnings.warn(
            f"fastreg: Numba found no writable directory for its compiled-kernel cache "
            f"({error}); fastreg's kernels are cached {where}. Set the environment "
            f"variable NUMBA_CACHE_DIR to a writable directory before importing fastreg "
            f"to keep them across runs and silence this warning.",
            UserWarning, stacklevel=3)
    return _fallback_dir


_KERNEL_DIR = os.path.dirname(os.path.abspath(__file__))


@functools.cache
def kernels_digest(directory=_KERNEL_DIR):
    """SHA-256 of the source of every kernel module in ``directory``, in name order.

    None when the sources cannot be read (an install without ``.py`` files, a
    zip import): the stamps are then Numba's own.
    """
    digest = hashlib.sha256()
    try:
        for name in sorted(os.listdir(directory)):
            if name.endswith(".py"):
                with open(os.path.join(directory, name), "rb") as source:
                    digest.update(name.encode() + b"\0" + source.read() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _stamp_with_all_kernels(dispatcher):
    """Extend the cache stamp of ``dispatcher`` by :func:`kernels_digest` (module doc).

    Numba's cache index keeps the stamp it was created with and discards its
    entries when the stamp read back differs. The attributes are Numba's
    own (``FunctionCache._cache_file._source_stamp``, stable since 0.49); where
    they are missing the dispatcher is left as it is.
    """
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    stamp = getattr(cache_file, "_source_stamp", None)
    digest = kernels_digest()
    if stamp is not None and digest is not None:
        cache_file._source_stamp = (stamp, digest)
    return dispatcher


def _cached_jit(**options):
    """``numba.njit(**options)`` that falls back to a temporary or no cache on read-only installs."""
    decorate = numba.njit(**options)
    uncached = numba.njit(**dict(options, cache=False))

    def wrap(func):
        try:
            return _stamp_with_all_kernels(decorate(func))
        except RuntimeError as exc:
            # Numba raises this (and nothing else of interest) when decorating
            # with cache=True finds no locator; any other error is a bug to show.
            if "no locator available" not in str(exc):
                raise
            error = exc
        cache_dir = _fallback_cache_dir(error)
        if not cache_dir:
            return uncached(func)
        # Numba reads NUMBA_CACHE_DIR (config.CACHE_DIR) when the cache of a
        # function is created, i.e. here at decoration; it is set only for the
        # duration of this call so that other libraries' functions and the
        # user's own settings are left alone.
        saved = _numba_config.CACHE_DIR
        _numba_config.CACHE_DIR = cache_dir
        try:
            return _stamp_with_all_kernels(decorate(func))
        except RuntimeError as exc:
            if "no locator available" not in str(exc):
                raise
            return uncached(func)
        finally:
            _numba_config.CACHE_DIR = saved

    return wrap


jit = _cached_jit(**_OPTIONS)

reduction_jit = _cached_jit(**_OPTIONS, fastmath={"reassoc", "contract"})

# Compiled into each caller (Numba inlines its IR), never as a function of its
# own: one source for code every layout's entry shares (the active-set cycle),
# without an extra compiled specialization or call per layout.
inline_jit = _cached_jit(**_OPTIONS, inline="always")

# Inlined by LLVM into every compiled caller (``forceinline``), for small kernels
# called from hot loops (sweeps, gaps, the Newton step). Numba increments the
# reference count of every array a function receives and decrements it on the
# way out (atomic operations, a few nanoseconds each, that also stall the
# pipeline), and its reference-count pruning cannot remove the pairs around a
# call that is not inlined, because the call may raise: measured, they took 17%
# of the diabetes path. Inlined, the call's error branch folds away and the pairs
# go. The result is the same machine arithmetic (no re-association is added).
force_jit = _cached_jit(**_OPTIONS, forceinline=True)
force_reduction_jit = _cached_jit(**_OPTIONS, forceinline=True, fastmath={"reassoc", "contract"})

# Loops over independent outputs (``numba.prange``, one result per iteration,
# no reduction across threads), so results do not depend on the thread count;
# callers choose that count through fastreg._parallel.
parallel_jit = _cached_jit(**_OPTIONS, parallel=True)


def layout_overload(stub):
    """Register the typed implementations of ``stub`` (see :mod:`fastreg._kernels.cycle`).

    Numba's ``overload`` picks an implementation by the argument types at
    compile time, so one kernel serves every data layout without passing
    functions around (which would defeat the cache).
    """
    return numba.extending.overload(stub, jit_options=dict(nogil=True, error_model="numpy"),
                                    inline="always")
