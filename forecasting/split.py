"""Time-based splits of the cohort by entry date.

Why by time and not at random: the model is trained on past entrants and used on future
ones. Holding out the LATEST entrants as the test set measures exactly that use, and shows
any drift in who enters or in how registries record them; a random split would let the model
see the test period's entrants while training and flatter its figures. For the same reason
hyperparameters are tuned, and the model family chosen, on the latest slice of the TRAIN
period (validation), never on the test set.

All entries on one day fall on the same side of a cut, so no day is split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEST_SHARE = 0.25
VALIDATION_SHARE = 0.2  # of the train period


@dataclass(frozen=True)
class TimeSplit:
    """Boolean masks over the cohort; ``train`` is ``fit`` plus ``validation``."""

    train: np.ndarray
    test: np.ndarray
    fit: np.ndarray
    validation: np.ndarray


def latest_share(entry: np.ndarray, share: float) -> np.ndarray:
    """Mask of the latest ``share`` of entries (cut at a day boundary, so about that share).

    >>> days = np.array(["2021-01-01", "2021-01-02", "2021-01-03", "2021-01-04"],
    ...                 dtype="datetime64[D]")
    >>> latest_share(days, 0.25).tolist()
    [False, False, False, True]
    """
    if len(entry) == 0:
        return np.zeros(0, dtype=bool)
    ordered = np.sort(entry)
    cut = ordered[min(len(entry) - 1, int(np.floor(len(entry) * (1 - share))))]
    return entry >= cut


def time_split(entry: np.ndarray, test_share: float = TEST_SHARE,
               validation_share: float = VALIDATION_SHARE) -> TimeSplit:
    """Test = the latest ``test_share`` of entries; of the rest, validation = its latest
    ``validation_share``, fit = the earlier ones."""
    test = latest_share(entry, test_share)
    train = ~test
    validation = np.zeros(len(entry), dtype=bool)
    validation[train] = latest_share(entry[train], validation_share)
    return TimeSplit(train=train, test=test, fit=train & ~validation, validation=validation)
