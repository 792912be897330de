"""``patch_sklearn``: run scikit-learn's own linear models on fastreg.

This module never imports scikit-learn at import time (``import fastreg``
stays free of it); the patching functions import it, and the replacements in
:mod:`fastreg.sklearn._patch`, when called.

Design (scikit-learn-intelex's convention, done by method): the patch
replaces *attributes* of scikit-learn's own module and classes, never the
classes themselves, so an estimator built before or after patching is an
instance of scikit-learn's class, clones, pickles (by reference to
scikit-learn's class) and works in ``Pipeline`` / ``GridSearchCV``. Every
replaced attribute is recorded with the object it came from, and
:func:`unpatch_sklearn` puts back the very same objects (an attribute a class
only inherited is deleted again).
"""

import contextlib
import threading

from . import _patch_calls

# name -> list of (owner, attribute, original or _MISSING); filled while patched
_ORIGINALS = {}
_MISSING = object()
_LOCK = threading.RLock()


def get_patch_names():
    """The scikit-learn names that :func:`patch_sklearn` can patch.

    Returns
    -------
    list of str
        Names in ``sklearn.linear_model``: the path functions
        ``lasso_path``, ``enet_path``, ``ridge_regression`` and the estimators
        ``Lasso``, ``ElasticNet``, ``LassoCV``, ``ElasticNetCV``,
        ``MultiTaskLasso``, ``MultiTaskElasticNet``, ``MultiTaskLassoCV``,
        ``MultiTaskElasticNetCV``, ``Ridge``, ``RidgeCV``.
    """
    from .sklearn import _patch as impl

    return list(impl.PATCH_NAMES)


def get_patch_map():
    """What each patch name replaces.

    Returns
    -------
    dict of str to list of str
        For each name of :func:`get_patch_names`, the replaced attributes as
        ``'module.Owner.attribute'`` strings, e.g. ``'Lasso'`` ->
        ``['sklearn.linear_model._coordinate_descent.Lasso.path']``.
    """
    from .sklearn import _patch as impl

    return {name: [_describe(owner, attr) for owner, attr, _ in impl.replacements(name)]
            for name in impl.PATCH_NAMES}


def _describe(owner, attr):
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__qualname__}.{attr}"
    return f"{owner.__name__}.{attr}"


def patch_sklearn(name=None, *, verbose=False):
    """Make scikit-learn's linear models run on fastreg.

    After the call, existing code such as ``sklearn.linear_model.LassoCV(cv=10)
    .fit(X, y)`` runs on fastreg's solvers without edits: the path functions
    are replaced by functions with scikit-learn's exact contract, and the
    estimators' ``fit`` / ``path`` methods by ones that hand the validated data
    to fastreg (the one-pass cross-validation of :func:`fastreg.enet_cv`, the
    spectral :func:`fastreg.ridge_cv`). Options fastreg does not implement run
    scikit-learn's own code; each call is counted by :func:`patched_calls` and
    logged at DEBUG level on ``logging.getLogger("fastreg")``. Calling it again
    is harmless (idempotent).

    Parameters
    ----------
    name : str or list of str, default=None
        Patch only these names (see :func:`get_patch_names`); None patches all.
    verbose : bool, default=False
        Print what was patched.
    """
    from .sklearn import _patch as impl

    names = impl.PATCH_NAMES if name is None else ([name] if isinstance(name, str) else name)
    unknown = [n for n in names if n not in impl.PATCH_NAMES]
    if unknown:
        raise ValueError(f"Unknown patch names {unknown}; choose from {list(impl.PATCH_NAMES)}.")
    with _LOCK:
        for n in names:
            if n in _ORIGINALS:
                continue
            saved = []
            for owner, attr, new in impl.replacements(n):
                saved.append((owner, attr, owner.__dict__.get(attr, _MISSING)
                              if isinstance(owner, type) else getattr(owner, attr)))
                setattr(owner, attr, new)
            _ORIGINALS[n] = saved
    if verbose:
        print(f"fastreg: patched scikit-learn's {', '.join(names)}")


def unpatch_sklearn(name=None):
    """Restore scikit-learn's original functions and methods.

    Parameters
    ----------
    name : str or list of str, default=None
        Unpatch only these names; None unpatches everything patched.
    """
    with _LOCK:
        names = list(_ORIGINALS) if name is None else (
            [name] if isinstance(name, str) else list(name))
        for n in names:
            for owner, attr, original in reversed(_ORIGINALS.pop(n, [])):
                if original is _MISSING:
                    delattr(owner, attr)
                else:
                    setattr(owner, attr, original)


def sklearn_is_patched(name=None):
    """Whether scikit-learn is patched (every name, or the given one).

    Parameters
    ----------
    name : str, default=None
        One name of :func:`get_patch_names`; None asks about all of them.

    Returns
    -------
    bool
        True when every asked name is patched.
    """
    if name is not None:
        return name in _ORIGINALS
    from .sklearn import _patch as impl

    return all(n in _ORIGINALS for n in impl.PATCH_NAMES)


@contextlib.contextmanager
def sklearn_patched(name=None):
    """Context manager: scikit-learn patched inside the block, as it was after.

    Names patched before entering stay patched on exit.

    Parameters
    ----------
    name : str or list of str, default=None
        As in :func:`patch_sklearn`.

    Yields
    ------
    None
        Nothing: the block runs with scikit-learn patched.
    """
    from .sklearn import _patch as impl

    names = impl.PATCH_NAMES if name is None else ([name] if isinstance(name, str) else name)
    before = {n for n in names if n in _ORIGINALS}
    patch_sklearn(list(names))
    try:
        yield
    finally:
        unpatch_sklearn([n for n in names if n not in before])


def patched_calls(reset=False):
    """How often each patched name ran on fastreg and on scikit-learn's fallback.

    Parameters
    ----------
    reset : bool, default=False
        Clear the counters after reading them.

    Returns
    -------
    dict of str to dict
        ``{name: {"fastreg": int, "fallback": int}}`` for every name called
        since the last reset.
    """
    return _patch_calls.counts(reset)
