"""Lasso and elastic-net paths: one pipeline from the public functions to the kernels.

``path.py`` and ``from_stats.py`` hold the public functions; ``options.py`` the
validated records; ``prepare.py`` the design of each data source;
``pipeline.py`` ``run_path`` and the result object; ``penalty.py`` the penalty
as the kernels take it; ``driver.py`` the loop over alphas; ``designs.py`` the
design adapters (one per data layout); ``grid.py`` ``alpha_max`` and the grid.
``docs/design.rst`` draws the data flow.
"""
