"""Seeds: the one range every seed lives in (network weights, data, splits).

A seed travels through the page's URL and JSON, where every number is a JavaScript double, so
the largest seed is the largest integer a double holds exactly, 2⁵³ − 1. Any seed in
[0, SEED_MAX] gives the same weights and points in a script, on the server and after a round
trip through a shared link.
"""

import numpy as np

from .errors import check_number

# The largest integer a JavaScript number holds exactly: seeds, epochs and step counts that
# travel to the page stay within it.
MAX_EXACT_INTEGER = 2**53 - 1
SEED_MAX = MAX_EXACT_INTEGER

# New seeds drawn for "reseed" stay short enough to read aloud and type back in.
_DRAWN_SEED_LIMIT = 2**31


def check_seed(seed, field="seed"):
    """`seed` as an int in [0, SEED_MAX], else ConfigError naming `field` and the range."""
    return check_number(field, seed, 0, SEED_MAX, integer=True)


def random_seed():
    """A fresh seed from the operating system's entropy, in [0, 2³¹)."""
    return int(np.random.default_rng().integers(0, _DRAWN_SEED_LIMIT))
