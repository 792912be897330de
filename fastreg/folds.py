"""Fold assignment shared by every cross-validation route: k-fold ids, splitters, the 1-SE rule."""

import numpy as np

from . import _validation
from .stats.gramstats import check_fold_ids


def kfold_ids(n_samples, n_splits):
    """Fold ids of scikit-learn's ``KFold(n_splits)`` without shuffling.

    Contiguous folds; the first ``n_samples % n_splits`` have one extra row.

    Parameters
    ----------
    n_samples : int
    n_splits : int

    Returns
    -------
    ndarray of int64, shape (n_samples,)
    """
    if n_splits < 2:
        raise ValueError(f"cv must be at least 2 folds, got {n_splits}.")
    if n_splits > n_samples:
        raise ValueError(f"Cannot have cv={n_splits} folds with only {n_samples} samples.")
    sizes = np.full(n_splits, n_samples // n_splits, dtype=np.int64)
    sizes[: n_samples % n_splits] += 1
    return np.repeat(np.arange(n_splits, dtype=np.int64), sizes)


def resolve_folds(cv, X, y, n_samples):
    """Fold ids from ``cv``: an int, fold ids, a splitter or (train, test) pairs.

    Parameters
    ----------
    cv : int, array-like of shape (n_samples,), splitter or iterable
        An int is scikit-learn's ``KFold(cv)``; an array gives each row's fold;
        an object with ``split(X, y)`` or an iterable yields ``(train, test)``
        index pairs whose test sets must partition the rows.
    X, y : array-like
        Passed to ``cv.split``.
    n_samples : int

    Returns
    -------
    ndarray of int64, shape (n_samples,)
    """
    cv = _validation.check_cv(cv)
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        return kfold_ids(n_samples, int(cv))
    if isinstance(cv, np.ndarray) or (isinstance(cv, (list, tuple)) and len(cv) == n_samples
                                      and all(np.isscalar(v) for v in cv)):
        return check_fold_ids(cv, n_samples)
    splits = cv.split(X, y) if hasattr(cv, "split") else cv
    folds = np.full(n_samples, -1, dtype=np.int64)
    for k, split in enumerate(splits):
        test = np.asarray(split[1])
        if test.dtype == bool:
            test = np.flatnonzero(test)
        if np.any(folds[test] >= 0):
            raise ValueError("The cv splits' test sets overlap; fastreg's cross-validation "
                             "needs test sets that partition the samples.")
        folds[test] = k
    if np.any(folds < 0):
        raise ValueError("The cv splits' test sets do not cover every sample; fastreg's "
                         "cross-validation needs test sets that partition the samples.")
    return check_fold_ids(folds, n_samples)


def one_standard_error(cv_mean, cv_std_error):
    """``(best, one_se)``: the least mean error and the largest alpha within 1 SE of it.

    Alphas are in decreasing order, so the largest alpha is the smallest index.
    """
    mean = np.where(np.isnan(cv_mean), np.inf, cv_mean)
    best = int(np.argmin(mean))
    bound = mean[best] + (0.0 if np.isnan(cv_std_error[best]) else cv_std_error[best])
    one_se = int(np.flatnonzero(mean <= bound)[0])
    return best, one_se
