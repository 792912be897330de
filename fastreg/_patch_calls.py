"""The counters behind :func:`fastreg.patched_calls`, shared by the patch and its replacements.

Kept apart from :mod:`fastreg._patch` so that the replacements in
:mod:`fastreg.sklearn._patch` import only this (imports run one way).
"""

import logging
import threading
from collections import Counter

logger = logging.getLogger("fastreg")

_LOCK = threading.Lock()
_CALLS = Counter()


def record_call(name, route, reason=None):
    """Count one call of a patched name, on fastreg or on scikit-learn's fallback."""
    with _LOCK:
        _CALLS[(name, route)] += 1
    if route == "fallback":
        logger.debug("fastreg patch: %s falls back to scikit-learn (%s)", name, reason)
    else:
        logger.debug("fastreg patch: %s runs on fastreg", name)


def counts(reset=False):
    """``{name: {"fastreg": int, "fallback": int}}``, optionally clearing the counters."""
    with _LOCK:
        out = {}
        for (name, route), count in _CALLS.items():
            out.setdefault(name, {"fastreg": 0, "fallback": 0})[route] = count
        if reset:
            _CALLS.clear()
    return out
