"""A drawn digit reduced to the 64 inputs of the digits set, the way that set was made.

The UCI set (Alpaydin & Kaynak, 1998): NIST's programs cut each handwritten digit out of a
form as a size-normalised 32 × 32 bitmap; the bitmap was divided into non-overlapping 4 × 4
blocks and the inked pixels of each block counted, giving 8 × 8 values in 0..16. The shipped
digits all touch the top and bottom rows of their 8 × 8 box and are narrower than tall, so the
size normalisation kept the aspect ratio and made the longer side fill the box. Here, for a
grayscale drawing `image` (h, w) with values in [0, 1] (1 = ink, 0 = paper):

  1. ink is every pixel ≥ INK (0.5); crop the drawing to the ink's bounding box;
  2. pad the shorter side of the box equally on both sides: a square with the digit centred
     and its aspect ratio kept;
  3. resample the square to 32 × 32 by area averaging (a pixel of the result is the mean of the
     part of the drawing it covers), and call a pixel on where that mean is ≥ INK;
  4. count the on pixels of each 4 × 4 block (0..16), row by row, and divide by 16.

A drawing with no ink gives 64 zeros. What NIST's normalisation may do besides (e.g. to stroke
width or slant) is not reproduced, so draw like the set's writers: its strokes are about 4 to 8
of the 32 pixels wide (a "1" is 7 or 8 pixels across at its thinnest, and 30 % of an average
digit's box is ink): a brush about a sixth of the digit's height.
"""

import numpy as np

from .errors import ConfigError
from .realdata import DIGIT_LEVELS, DIGIT_SIDE

INK = 0.5
BITMAP_SIDE = 32                      # NIST's normalised bitmap
BLOCK = BITMAP_SIDE // DIGIT_SIDE     # 4 × 4 pixels per input
MAX_DRAWING_SIDE = 2048


def _area_weights(source, target):
    """(target, source) matrix: row i holds how much of target pixel i each source pixel covers,
    as a share of pixel i (rows sum to 1). Target pixel i spans [i, i + 1)·source/target."""
    edges = np.arange(target + 1) * (source / target)
    left = np.maximum(np.arange(source)[None, :], edges[:-1, None])
    right = np.minimum(np.arange(1, source + 1)[None, :], edges[1:, None])
    return np.clip(right - left, 0.0, None) * (target / source)


def bitmap_from_drawing(image):
    """Steps 1 to 3: the drawing as NIST's 32 × 32 bitmap (bool, True = on)."""
    image = _check(image)
    rows = np.flatnonzero((image >= INK).any(axis=1))
    cols = np.flatnonzero((image >= INK).any(axis=0))
    if not rows.size:
        return np.zeros((BITMAP_SIDE, BITMAP_SIDE), dtype=bool)
    box = image[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    side = max(box.shape)
    top, left = (side - box.shape[0]) // 2, (side - box.shape[1]) // 2
    square = np.zeros((side, side))
    square[top:top + box.shape[0], left:left + box.shape[1]] = box
    weights = _area_weights(side, BITMAP_SIDE)
    # Rounding in the weights may put an exactly full pixel at 0.9999999999999999.
    return weights @ square @ weights.T >= INK - 1e-9


def digit_from_drawing(image):
    """The 64 inputs (float64 in [0, 1], row-major 8 × 8) of a drawing (h, w) in [0, 1]."""
    bitmap = bitmap_from_drawing(image)
    counts = bitmap.reshape(DIGIT_SIDE, BLOCK, DIGIT_SIDE, BLOCK).sum(axis=(1, 3))
    return counts.ravel() / DIGIT_LEVELS


def _check(image):
    """The drawing as a float64 (h, w) array, or ConfigError naming "image"."""
    allowed = f"(h, w) numbers in [0, 1], 1 ≤ h, w ≤ {MAX_DRAWING_SIDE}"
    try:
        image = np.asarray(image, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError("image", "expected rows of numbers", allowed) from None
    if image.ndim != 2 or not 1 <= min(image.shape) <= max(image.shape) <= MAX_DRAWING_SIDE:
        raise ConfigError("image", f"expected a 2-D drawing, got shape {image.shape}", allowed)
    with np.errstate(invalid="ignore"):
        bad = np.argwhere(~((image >= 0.0) & (image <= 1.0)))   # NaN fails both
    if len(bad):
        i, j = (int(v) for v in bad[0])
        raise ConfigError(f"image[{i}][{j}]", f"{image[i, j]} is out of range", [0.0, 1.0])
    return image
