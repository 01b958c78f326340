"""Statistics for benchmark metrics: Wilson score intervals on binomial proportions.

Recall (TP / truth total) and precision (TP / query total) are binomial proportions; a point
estimate on a small stratum says little, so every benchmark figure carries a 95 % Wilson score
interval (Wilson 1927; recommended over the Wald interval by Brown, Cai & DasGupta 2001 because
it keeps its coverage near 0 and 1, where clinical accuracy figures sit).  48 of 48 correct gives
a lower bound of only 0.926.
"""

from __future__ import annotations

import math

IMPLEMENTS = ("SRS-300",)

Z95 = 1.959963984540054
"""The two-sided 95 % standard-normal quantile."""


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval ``(lower, upper)`` for ``successes`` out of ``total``.

    With ``total == 0`` the proportion is undefined and the interval is the whole ``(0.0, 1.0)``.
    Bounds are clamped to ``[0, 1]`` and are exact at the edges (0 successes → lower 0.0,
    all successes → upper 1.0).
    """
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    if not (z > 0 and math.isfinite(z)):
        raise ValueError(f"z must be a positive finite number, got {z}")
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    z2 = z * z
    denom = 1.0 + z2 / total
    centre = (p + z2 / (2 * total)) / denom
    half = z * math.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total)) / denom
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == total else min(1.0, centre + half)
    return (lower, upper)
