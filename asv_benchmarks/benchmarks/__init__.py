"""asv benchmarks timing fastreg and scikit-learn side by side (see ../README.md)."""
