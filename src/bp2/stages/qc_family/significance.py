"""Contradiction on few sites: an exact one-sided binomial test of an error count.

Below the site minimums no relationship is *confirmed* (SRS-183), but some observations are
impossible for the declared family except through genotype error, so their number can
*contradict* it on any number of sites (SRS-189):

* **IBS0 of a declared parent–offspring pair.**  A child carries one allele of each parent, so
  opposite homozygotes (one 0/0, the other 1/1) arise only from a genotype error (or a de novo
  mutation, ~1e-8 per base, negligible).  With a per-site error rate ``e`` the count of IBS0
  sites among ``n`` informative sites is at most Binomial(n, e) under the declared relationship.
  KING (Manichaikul et al. 2010, doi:10.1093/bioinformatics/btq559) separates parent-offspring
  from full siblings by IBS0 < 0.0012 on array SNPs (GWASTools' KING rule allows 0.003 for
  genotype error), peddy (Pedersen & Quinlan 2017, doi:10.1016/j.ajhg.2017.01.017) and
  somalier (Pedersen et al. 2020, doi:10.1186/s13073-020-00761-2) read parent-offspring from
  IBS0 ≈ 0 with kinship ≈ 0.25 on sequencing sites; all three apply fixed cut-offs to many
  sites and none tests few sites, hence the binomial tail here.
* **Mendelian inconsistencies of a trio or duo.**  The count among ``n`` informative sites is
  compared with the allowed rate (``max_mendelian_error_rate``), the same rate the point rule uses
  once there are enough sites, so the two rules draw the line at the same place.

The p-value is P(X ≥ k) for X ~ Binomial(n, p); the check fails when it is below the
significance parameter.  It is computed exactly in log space (no approximation, no SciPy).
"""

from __future__ import annotations

import math

IMPLEMENTS = ("SRS-189",)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), exact; 1.0 when k ≤ 0."""
    if k < 0 or n < 0 or k > n + 1 or not 0.0 <= p <= 1.0:
        raise ValueError(f"binomial_tail needs 0 ≤ k ≤ n + 1 and 0 ≤ p ≤ 1, not k={k}, n={n}, "
                         f"p={p}")
    if k == 0:
        return 1.0
    if k > n:
        return 0.0
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    log_terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p
        + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(log_terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in log_terms))


def format_p(value: float) -> str:
    """A p-value for a message: 3 significant digits, scientific below 0.001."""
    if value == 0.0:
        return "p < 1e-300"
    return f"p = {value:.3g}" if value >= 1e-3 else f"p = {value:.2e}"
