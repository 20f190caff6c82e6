"""Training arithmetic for the intent classifier (scikit-learn and SciPy, imported only here)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from theke.nlu.features import Vocabulary, char_features, word_features

if TYPE_CHECKING:
    from theke.nlu.classifier import ClassifierConfig

__all__ = ["design", "logistic", "temperature"]


def design(
    words: Sequence[Sequence[str]],
    chars: Vocabulary,
    wordv: Vocabulary,
    dense: npt.NDArray[np.float32],
    config: ClassifierConfig,
) -> sparse.csr_matrix:
    """The weighted feature matrix [chars | words | dense], one row per example."""
    char_rows = _rows((chars.weigh(char_features(w)) for w in words), chars.size)
    word_rows = _rows((wordv.weigh(word_features(w)) for w in words), wordv.size)
    return sparse.hstack(
        [
            char_rows * config.char_weight,
            word_rows * config.word_weight,
            sparse.csr_matrix(dense * config.dense_weight),
        ],
        format="csr",
    )


def _rows(weighed: object, width: int) -> sparse.csr_matrix:
    indptr = [0]
    indices: list[npt.NDArray[np.int32]] = []
    data: list[npt.NDArray[np.float32]] = []
    for columns, weights in weighed:  # type: ignore[attr-defined]
        indices.append(columns)
        data.append(weights)
        indptr.append(indptr[-1] + len(columns))
    return sparse.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)),
        shape=(len(indptr) - 1, width),
    )


def logistic(
    matrix: sparse.csr_matrix, labels: npt.NDArray[np.int64], c: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Weights (features × classes) and biases of a multinomial logistic regression."""
    model = LogisticRegression(C=c, max_iter=300, tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(matrix, labels)
    if model.coef_.shape[0] == 1:  # two classes: scikit-learn keeps one logit, softmax needs two
        zero = np.zeros_like(model.coef_)
        return np.vstack([zero, model.coef_]).T, np.array([0.0, model.intercept_[0]])
    return model.coef_.T, model.intercept_


def temperature(
    matrix: sparse.csr_matrix, labels: npt.NDArray[np.int64], config: ClassifierConfig
) -> float:
    """The softmax temperature that best fits held-out predictions (1.0 when data is too thin).

    One stratified split: train on the rest, predict every ``calibration_folds``-th
    example of each intent. One split costs a fraction of a full cross-validation
    and is enough to estimate one number.
    """
    folds = config.calibration_folds
    if folds < 2 or np.bincount(labels).min() < folds:
        return 1.0
    held = _held_out(labels, folds)
    weights, bias = logistic(matrix[~held], labels[~held], config.c)
    logits = np.asarray(matrix[held] @ weights + bias)
    fit = minimize_scalar(
        lambda t: _nll(logits, labels[held], np.exp(t)), bounds=(-3, 3), method="bounded"
    )
    return float(np.exp(fit.x))


def _held_out(labels: npt.NDArray[np.int64], folds: int) -> npt.NDArray[np.bool_]:
    """Every ``folds``-th example of each class, starting with the second."""
    held = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        held[members[1::folds]] = True
    return held


def _nll(logits: npt.NDArray[np.float64], labels: npt.NDArray[np.int64], t: float) -> float:
    scaled = logits / t
    scaled -= scaled.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scaled).sum(axis=1))
    return float((log_norm - scaled[np.arange(len(labels)), labels]).mean())
