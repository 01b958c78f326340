"""Cross-sample contamination from allele balance at common-SNP sites (pure numpy).

**Method: maximum likelihood of a two-genome mixture with population-frequency genotype priors**
— the model of VerifyBamID's ``FREEMIX`` estimate (Jun et al., AJHG 2012) without a reference
panel of individual genotypes (what VerifyBamID2 calls using allele frequencies only):

* The reads are a mixture: a fraction ``1 − α`` from the sample, ``α`` from one unrelated
  contaminating genome.  At a site with population ALT frequency ``p`` both genomes' genotypes
  ``g₁, g₂ ∈ {0, 1, 2}`` (ALT copies) are unknown, with Hardy-Weinberg priors
  ``P(g | p) = ((1−p)², 2p(1−p), p²)``, independent of each other.
* A read carries ALT with probability ``f = (1−α)·g₁/2 + α·g₂/2``.  A read base showing ALT has
  probability ``f·(1−ε) + (1−f)·ε/3`` and one showing REF ``f·ε/3 + (1−f)·(1−ε)``, with ``ε``
  the error probability of its base quality (``10^(−Q/10)``).  Bases that are neither REF nor
  ALT are not used.
* The log-likelihood ``Σ_sites log Σ_{g₁,g₂} P(g₁)P(g₂) Π_reads P(base | f)`` is maximised over
  ``α ∈ [0, α_max]``: on a grid (step 0.005), then by golden-section search between the grid
  neighbours of the best point.  The interval where the log-likelihood is within 1.92 of its
  maximum (ends found by bisection) is reported as an approximate 95 % confidence interval.

A genotype-free estimate needs many sites and unbiased allele frequencies: the estimate is
"not assessed" below ``min_sites`` covered sites.  A contaminant related to the sample (sharing
alleles) is under-estimated, as with VerifyBamID's ``FREEMIX``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IMPLEMENTS = ("SRS-166",)

GRID_STEP = 0.005
CI_DROP = 1.92  # half the 95 % chi-square(1) quantile 3.84
_GOLDEN = (math.sqrt(5) - 1) / 2

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ContaminationEstimate:
    fraction: float
    ci_low: float
    ci_high: float
    sites_used: int
    bases_used: int
    mean_site_depth: float
    log_likelihood: float
    log_likelihood_at_zero: float


@dataclass(frozen=True)
class _Model:
    site: IntArray  # site index (0..n_sites-1) of each distinct observation
    weight: FloatArray  # how many bases share it
    p_alt: FloatArray  # P(base | true allele ALT)
    p_ref: FloatArray  # P(base | true allele REF)
    log_prior: FloatArray  # (9, n_sites): log P(g1) P(g2)
    g1: FloatArray  # (9,)
    g2: FloatArray  # (9,)
    n_sites: int


def _model(site: IntArray, is_alt: npt.NDArray[np.bool_], quality: IntArray,
           af: FloatArray) -> _Model:
    used, compact = np.unique(site, return_inverse=True)
    p = np.clip(af[used], 1e-6, 1 - 1e-6)
    priors = np.stack([(1 - p) ** 2, 2 * p * (1 - p), p ** 2])  # (3, n)
    g1, g2 = (a.ravel() for a in np.meshgrid(np.arange(3.0), np.arange(3.0), indexing="ij"))
    log_prior = np.log(priors[g1.astype(int)] * priors[g2.astype(int)])  # (9, n)
    # identical (site, quality, allele) observations are counted once, with a weight
    key = (compact.astype(np.int64) * 256 + np.clip(quality, 0, 255)) * 2 + is_alt
    unique, weight = np.unique(key, return_counts=True)
    u_site, u_quality, u_alt = unique // 512, (unique // 2) % 256, (unique % 2).astype(bool)
    error = np.power(10.0, -u_quality.astype(np.float64) / 10.0)
    p_alt = np.where(u_alt, 1 - error, error / 3)
    p_ref = np.where(u_alt, error / 3, 1 - error)
    return _Model(u_site, weight.astype(np.float64), p_alt, p_ref, log_prior, g1, g2,
                  int(used.size))


def _log_likelihood(model: _Model, alpha: float) -> float:
    f = (1 - alpha) * model.g1 / 2 + alpha * model.g2 / 2  # (9,)
    per_base = np.log(f[:, None] * model.p_alt[None, :] + (1 - f[:, None]) * model.p_ref[None, :])
    per_site = np.stack([np.bincount(model.site, weights=row * model.weight,
                                     minlength=model.n_sites)
                         for row in per_base]) + model.log_prior
    top = per_site.max(axis=0)
    return float(np.sum(top + np.log(np.exp(per_site - top).sum(axis=0))))


def _golden_max(fn: Callable[[float], float], lo: float, hi: float, tol: float = 1e-5
                ) -> float:
    a, b = lo, hi
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = fn(c), fn(d)
    while b - a > tol:
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = fn(c)
        else:
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = fn(d)
    return (a + b) / 2


def _crossing(fn: Callable[[float], float], outside: float, inside: float, floor: float,
              tol: float = 1e-5) -> float:
    """Where ``fn`` falls to ``floor`` between a point below it and one above it (bisection)."""
    while abs(inside - outside) > tol:
        middle = (inside + outside) / 2
        if fn(middle) >= floor:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2


def estimate_contamination(
    site: IntArray, is_alt: npt.NDArray[np.bool_], quality: IntArray, af: FloatArray,
    *, max_fraction: float = 0.5,
) -> ContaminationEstimate | None:
    """The maximum-likelihood contamination fraction, or None without any observed base.

    ``site``/``is_alt``/``quality`` describe each observed base (the index of its site in
    ``af``, whether it shows ALT, its base quality); ``af`` is the population ALT frequency of
    every site.
    """
    if site.size == 0:
        return None
    model = _model(site, is_alt, quality, af)

    def fn(alpha: float) -> float:
        return _log_likelihood(model, alpha)

    grid = np.round(np.arange(0.0, max_fraction + GRID_STEP / 2, GRID_STEP), 10)
    values = np.array([fn(float(a)) for a in grid])
    best = int(np.argmax(values))
    lo, hi = float(grid[max(best - 1, 0)]), float(grid[min(best + 1, grid.size - 1)])
    alpha = _golden_max(fn, lo, hi)
    peak = fn(alpha)
    if values[best] > peak:
        alpha, peak = float(grid[best]), float(values[best])
    floor = peak - CI_DROP
    inside = np.nonzero(values >= floor)[0]
    low_index = int(inside.min()) if inside.size else best
    high_index = int(inside.max()) if inside.size else best
    ci_low = 0.0 if values[0] >= floor else _crossing(
        fn, float(grid[max(low_index - 1, 0)]), min(float(grid[low_index]), alpha), floor)
    ci_high = float(grid[-1]) if values[-1] >= floor else _crossing(
        fn, float(grid[min(high_index + 1, grid.size - 1)]), max(float(grid[high_index]), alpha),
        floor)
    return ContaminationEstimate(
        fraction=alpha, ci_low=ci_low, ci_high=ci_high,
        sites_used=model.n_sites, bases_used=int(site.size),
        mean_site_depth=float(site.size) / model.n_sites,
        log_likelihood=peak, log_likelihood_at_zero=float(values[0]),
    )
