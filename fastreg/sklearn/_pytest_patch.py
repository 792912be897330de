"""pytest plugin: run a test session with scikit-learn patched by fastreg.

``python -m pytest -p fastreg.sklearn._pytest_patch --pyargs sklearn.linear_model.tests``
runs scikit-learn's own tests on fastreg, the way scikit-learn-intelex
validates its patch. The patch is applied at configure time, before any test
module is imported.
"""

import fastreg


def pytest_configure(config):
    fastreg.patch_sklearn()


def pytest_report_header(config):
    return "fastreg: scikit-learn patched (" + ", ".join(fastreg.get_patch_names()) + ")"
