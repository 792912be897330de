"""Numba kernels: pure functions over arrays and scalars, updated in place.

No warnings, no I/O and no Python objects live here; the drivers in
``fastreg/enet/driver.py`` and its callers own control flow, warnings and progress
reporting.
"""
