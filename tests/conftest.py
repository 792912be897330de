import os
import sys

# make ``tests/reference.py`` importable as ``reference`` from every test module
sys.path.insert(0, os.path.dirname(__file__))
