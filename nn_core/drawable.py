"""What can be drawn: weights travel to the page as float32, so a number is drawable when it is
finite and within float32's range (|x| ≤ 3.4e38). Training stops at the first weight beyond it
(as at inf or NaN), and a recorded path skips vectors beyond it."""

import numpy as np

FLOAT32_MAX = float(np.finfo(np.float32).max)


def beyond_float32(params):
    """True if a value is NaN, infinite or larger in magnitude than FLOAT32_MAX."""
    # Two reductions and no temporary; NaN fails both comparisons.
    return not (params.max() <= FLOAT32_MAX and params.min() >= -FLOAT32_MAX)
