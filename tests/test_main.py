"""The command line: ``python -m fastreg demo`` runs end to end."""

import io
import subprocess
import sys

import pytest

from fastreg.__main__ import demo, main


def test_demo_prints_both_paths_and_certificates():
    out = io.StringIO()
    assert demo(out) == 0
    text = out.getvalue()
    assert "lasso path" in text and "enet path" in text
    assert text.count("every fastreg gap <= tol: True") == 2
    assert "sklearn nonzeros" in text  # scikit-learn is a test dependency


def test_bad_arguments_give_usage_not_traceback():
    result = subprocess.run([sys.executable, "-m", "fastreg", "bogus"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_command_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
