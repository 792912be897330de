"""Small real datasets shipped inside the package."""

import gzip
from importlib import resources

import numpy as np

__all__ = ["load_diabetes"]


def load_diabetes(*, scaled=True):
    """Load the diabetes data of Efron, Hastie, Johnstone and Tibshirani (2004).

    442 patients, 10 baseline variables (age, sex, body mass index, average
    blood pressure and six blood serum measurements) and a quantitative measure
    of disease progression one year later. The same data as
    ``sklearn.datasets.load_diabetes``.

    Parameters
    ----------
    scaled : bool, default=True
        Center every column and give it unit Euclidean norm, as scikit-learn
        does (standardize to unit variance, then divide by ``sqrt(n_samples)``).
        ``False`` returns the raw measurements.

    Returns
    -------
    X : ndarray of shape (442, 10)
        The ten baseline variables, one row per patient.
    y : ndarray of shape (442,)
        Disease progression one year after baseline.
    """
    data = _read("diabetes_data_raw.csv.gz")
    target = _read("diabetes_target.csv.gz")
    if scaled:
        data = (data - data.mean(axis=0)) / data.std(axis=0)
        data /= np.sqrt(data.shape[0])
    return data, target


def _read(name):
    with resources.files(__name__).joinpath("data", name).open("rb") as handle:
        with gzip.open(handle, "rt") as text:
            return np.loadtxt(text)
