"""Real, small datasets that ship with the engine: handwritten digits and three UCI tables.

The files in `nn_core/data/` are the copies scikit-learn 1.9.1 ships (its wheel's
`sklearn/datasets/data/`), gzip-compressed; `nn_core/data/NOTICE` gives each set's source,
authors and licence. Nothing is downloaded. A file is read the first time its set is asked
for, then kept (read-only) for the life of the process.

    digits:   x = count / 16 ∈ [0, 1]              (count: inked pixels of a 4 × 4 block, 0..16)
    tables:   x_j = (v_j − mean_j) / std_j          (mean and population std over all rows)

Labels are the class ids of the files, rows in the files' order. Unlike the plane sets these
are measured, not generated: noise, point count and class count are fixed, and a request for
other values is refused (see `datasets.make_dataset`); the train/test split still applies.

`SETS` describes each set for the `DATASETS` registry (datasets.py registers them), including
the network and training settings that learn it in seconds (`defaults`, named as the server's
configuration fields; `presets.trainer_for` builds a `Trainer` from them).
"""

import functools
import gzip
from pathlib import Path

import numpy as np

from .errors import ConfigError

DATA_DIR = Path(__file__).with_name("data")

DIGIT_SIDE = 8            # the digits are 8 × 8 images, row-major
DIGIT_LEVELS = 16         # a pixel counts the inked pixels of a 4 × 4 block: 0..16
# A standardised table value further than this many standard deviations from the set's mean is
# not a measurement of the same kind (the largest in the shipped tables is about 12).
STANDARD_LIMIT = 20.0

_WINE_NAMES = ["Alcohol", "Malic acid", "Ash", "Alcalinity of ash", "Magnesium",
               "Total phenols", "Flavanoids", "Nonflavanoid phenols", "Proanthocyanins",
               "Colour intensity", "Hue", "OD280/OD315 of diluted wines", "Proline"]
_CELL_NAMES = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
               "concavity", "concave points", "symmetry", "fractal dimension"]

# name → what the registry shows (label, problem, ...) plus "file" and "header" (whether the
# CSV starts with scikit-learn's "n_samples,n_features,class names…" line).
SETS = {
    "digits": {
        "file": "digits.csv.gz", "header": False,
        "label": "Handwritten digits",
        "problem": "multiclass",
        "classes": [10, 10],
        "default_points": 1797,
        "inputs": DIGIT_SIDE * DIGIT_SIDE,
        "input_names": [f"pixel ({r}, {c})" for r in range(DIGIT_SIDE) for c in range(DIGIT_SIDE)],
        "image_shape": [DIGIT_SIDE, DIGIT_SIDE],
        "class_names": [str(d) for d in range(10)],
        "value_range": [0.0, 1.0],
        "description": "1,797 handwritten digits, 8 × 8 pixels in [0, 1], 10 classes "
                       "(UCI Optical Recognition of Handwritten Digits; E. Alpaydin, "
                       "C. Kaynak, 1998).",
        "defaults": {"hidden_layers": [32], "activation": "relu", "init": "he_uniform",
                     "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32},
    },
    "iris": {
        "file": "iris.csv.gz", "header": True,
        "label": "Iris flowers",
        "problem": "multiclass",
        "classes": [3, 3],
        "default_points": 150,
        "inputs": 4,
        "input_names": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                        "petal width (cm)"],
        "image_shape": None,
        "class_names": ["setosa", "versicolor", "virginica"],
        "value_range": [-STANDARD_LIMIT, STANDARD_LIMIT],
        "description": "150 iris flowers, 4 standardised measurements, 3 species "
                       "(R. A. Fisher, 1936; UCI Iris).",
        "defaults": {"hidden_layers": [8], "activation": "tanh", "init": "xavier_uniform",
                     "optimizer": "adam", "learning_rate": 0.01, "batch_size": 10},
    },
    "wine": {
        "file": "wine_data.csv.gz", "header": True,
        "label": "Wine",
        "problem": "multiclass",
        "classes": [3, 3],
        "default_points": 178,
        "inputs": 13,
        "input_names": _WINE_NAMES,
        "image_shape": None,
        "class_names": ["class_0", "class_1", "class_2"],
        "value_range": [-STANDARD_LIMIT, STANDARD_LIMIT],
        "description": "178 Italian wines, 13 standardised chemical measurements, 3 cultivars "
                       "(M. Forina et al., PARVUS; UCI Wine).",
        "defaults": {"hidden_layers": [8], "activation": "tanh", "init": "xavier_uniform",
                     "optimizer": "adam", "learning_rate": 0.01, "batch_size": 10},
    },
    "breast_cancer": {
        "file": "breast_cancer.csv.gz", "header": True,
        "label": "Breast cancer",
        "problem": "binary",
        "classes": [2, 2],
        "default_points": 569,
        "inputs": 30,
        "input_names": [f"{kind} {name}" for kind in ("mean", "standard error of", "worst")
                        for name in _CELL_NAMES],
        "image_shape": None,
        "class_names": ["malignant", "benign"],
        "value_range": [-STANDARD_LIMIT, STANDARD_LIMIT],
        "description": "569 breast masses, 30 standardised cell-nucleus measurements, "
                       "malignant (0) or benign (1) (W. H. Wolberg, W. N. Street, "
                       "O. L. Mangasarian, 1995; UCI Breast Cancer Wisconsin (Diagnostic)).",
        "defaults": {"hidden_layers": [8], "activation": "tanh", "init": "xavier_uniform",
                     "optimizer": "adam", "learning_rate": 0.003, "batch_size": 10},
    },
}


def registry_info(name):
    """What `DATASETS` records for set `name`: everything in SETS but the file details."""
    return {k: v for k, v in SETS[name].items() if k not in ("file", "header")}


def _read_csv(spec):
    """(values, labels) as float64 and int64 arrays: one row per sample, the class id last."""
    expected = [str(spec["default_points"]), str(spec["inputs"]), *spec["class_names"]]
    with gzip.open(DATA_DIR / spec["file"], "rt", encoding="utf-8") as text:
        header = text.readline().strip().split(",") if spec["header"] else expected
        table = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)
    if header != expected or table.shape != (spec["default_points"], spec["inputs"] + 1):
        raise RuntimeError(f"{spec['file']} does not hold the expected data")  # a broken copy
    return table[:, :-1], table[:, -1].astype(np.int64)


@functools.lru_cache(maxsize=None)
def _parsed(name):
    spec = SETS[name]
    values, labels = _read_csv(spec)
    if name == "digits":
        points = values / DIGIT_LEVELS
        mean, std = np.zeros(spec["inputs"]), np.full(spec["inputs"], float(DIGIT_LEVELS))
    else:
        mean, std = values.mean(axis=0), values.std(axis=0)   # population std (ddof = 0)
        points = (values - mean) / std
    arrays = points, labels, mean, std
    for array in arrays:
        array.flags.writeable = False   # shared by every caller: nobody may edit the cache
    return arrays


def load(name):
    """(points, labels) of real set `name`: the cached arrays themselves, read-only.

    points (n, inputs) float64 as the network takes them; labels (n,) int64 class ids.
    """
    if name not in SETS:
        raise ConfigError("dataset", f"unknown real dataset {name!r}", list(SETS))
    points, labels, _, _ = _parsed(name)
    return points, labels


def scaling(name):
    """(offset, scale), read-only (inputs,) arrays: a file value v became (v − offset) / scale.

    The tables' mean and population standard deviation, or (0, 16) for the digits; with them
    the page can show an input in the file's own units (cm, mg/l, ...).
    """
    load(name)
    _, _, offset, scale = _parsed(name)
    return offset, scale

