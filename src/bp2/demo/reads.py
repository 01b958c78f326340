"""Paired-end read simulation, vectorised with numpy.

Fragments (length ~ N(350, 50), 200–600 bp) are drawn uniformly from each molecule; read 1 comes
from either strand with equal chance and read 2 from the other end of the fragment.  A few
percent of pairs are PCR duplicates (same fragment, independent sequencing errors).

Base qualities are drawn first, per cycle, from four Illumina-style bins (Q2, Q12, Q23, Q37)
whose mix worsens along the read; each base is then miscalled with exactly the probability its
quality states (10^(-Q/10)).  The substitution rate therefore rises from about 0.1 % at the first
cycle to about 1 % at the last, and the qualities predict where the errors are.  About one base in
10,000 gets a 1 bp insertion or deletion error, marked with a low quality.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bp2.demo.haplotypes import Molecule
from bp2.demo.sequence import Codes, complement, to_ascii

READ_LENGTH = 150
FRAGMENT_MEAN, FRAGMENT_SD, FRAGMENT_MIN, FRAGMENT_MAX = 350, 50, 200, 600
DUPLICATE_RATE = 0.03
INDEL_ERROR_RATE = 1e-4  # per base
QUALITY_BINS = np.array([2, 12, 23, 37], dtype=np.uint8)
ARTEFACT_FRACTION = 0.3  # of forward-strand reads covering the artefact position


def bin_weights(cycles: int = READ_LENGTH) -> npt.NDArray[np.float64]:
    """Probability of each quality bin at each cycle, shape (cycles, 4); rows sum to 1."""
    t = np.linspace(0.0, 1.0, cycles)
    q2 = 0.0005 + 0.0055 * t
    q12 = 0.004 + 0.056 * t
    q23 = 0.04 + 0.26 * t
    q37 = 1.0 - q2 - q12 - q23
    return np.stack([q2, q12, q23, q37], axis=1)


def expected_error_rate(cycles: int = READ_LENGTH) -> npt.NDArray[np.float64]:
    """The substitution rate each cycle is expected to have under the quality model."""
    p = 10.0 ** (-QUALITY_BINS.astype(np.float64) / 10.0)
    result: npt.NDArray[np.float64] = bin_weights(cycles) @ p
    return result


@dataclass(frozen=True)
class Reads:
    """Simulated pairs: bases as codes and Phred qualities, shape (pairs, READ_LENGTH) each."""

    r1: Codes
    r2: Codes
    q1: Codes
    q2: Codes
    errors1: npt.NDArray[np.bool_]  # where substitutions were made (for tests of the model)
    errors2: npt.NDArray[np.bool_]


def sequence(rng: np.random.Generator, templates: Codes) -> tuple[Codes, Codes,
                                                                    npt.NDArray[np.bool_]]:
    """Read ``templates`` (n × (READ_LENGTH+1) true bases) with indel and substitution errors.

    Returns (bases, qualities, substitution mask), each n × READ_LENGTH.
    """
    n = len(templates)
    bases = templates[:, :READ_LENGTH].copy()
    cumulative = np.cumsum(bin_weights(), axis=1)
    u = rng.random((n, READ_LENGTH))
    bin_index = np.zeros((n, READ_LENGTH), dtype=np.uint8)
    for edge in range(len(QUALITY_BINS) - 1):
        bin_index += u > cumulative[None, :, edge]
    qualities = QUALITY_BINS[bin_index]
    indel_rows = np.flatnonzero(rng.random(n) < INDEL_ERROR_RATE * READ_LENGTH)
    for row in indel_rows:
        at = int(rng.integers(5, READ_LENGTH - 5))
        template = templates[row]
        if rng.random() < 0.5:  # insertion of a random base
            inserted = np.array([rng.integers(0, 4)], dtype=np.uint8)
            bases[row] = np.concatenate([template[:at], inserted, template[at:READ_LENGTH - 1]])
        else:  # deletion of one template base
            bases[row] = np.concatenate([template[:at], template[at + 1:READ_LENGTH + 1]])
        qualities[row, at] = 12
    error_p = 10.0 ** (-qualities.astype(np.float64) / 10.0)
    errors = rng.random((n, READ_LENGTH)) < error_p
    shift = rng.integers(1, 4, size=int(errors.sum())).astype(np.uint8)
    bases[errors] = (bases[errors] + shift) % 4
    return bases, qualities, errors


def simulate(rng: np.random.Generator, molecule: Molecule) -> Reads:
    """Pairs from one molecule at its depth."""
    codes = molecule.codes
    length = len(codes)
    pairs = round(molecule.depth * length / (2 * READ_LENGTH))
    frag = np.clip(np.rint(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, pairs)), FRAGMENT_MIN,
                   min(FRAGMENT_MAX, length)).astype(np.int64)
    start = (rng.random(pairs) * (length - frag + 1)).astype(np.int64)
    r1_forward = rng.random(pairs) < 0.5
    duplicates = np.flatnonzero(rng.random(pairs) < DUPLICATE_RATE)
    if len(duplicates):
        sources = rng.integers(0, pairs, size=len(duplicates))
        frag[duplicates] = frag[sources]
        start[duplicates] = start[sources]
        r1_forward[duplicates] = r1_forward[sources]
    span = np.arange(READ_LENGTH + 1)
    forward = codes[start[:, None] + span[None, :]]
    reverse = complement(codes[(start + frag - 1)[:, None] - span[None, :]])
    if molecule.artefact is not None:
        offset = molecule.artefact.position - start
        hit = np.flatnonzero((offset >= 0) & (offset < READ_LENGTH)
                             & (rng.random(pairs) < ARTEFACT_FRACTION))
        forward[hit, offset[hit]] = molecule.artefact.alt
    t1 = np.where(r1_forward[:, None], forward, reverse)
    t2 = np.where(r1_forward[:, None], reverse, forward)
    r1, q1, e1 = sequence(rng, t1)
    r2, q2, e2 = sequence(rng, t2)
    return Reads(r1, r2, q1, q2, e1, e2)


def simulate_sample(rng: np.random.Generator, molecules: list[Molecule]) -> Reads:
    """All pairs of a sample, in a shuffled (sequencer-like, not positional) order."""
    parts = [simulate(rng, m) for m in molecules]
    order = rng.permutation(sum(len(p.r1) for p in parts))
    return Reads(
        np.concatenate([p.r1 for p in parts])[order], np.concatenate([p.r2 for p in parts])[order],
        np.concatenate([p.q1 for p in parts])[order], np.concatenate([p.q2 for p in parts])[order],
        np.concatenate([p.errors1 for p in parts])[order],
        np.concatenate([p.errors2 for p in parts])[order])


def fastq_bytes(sample: str, bases: Codes, qualities: Codes, mate: int) -> bytes:
    """FASTQ text of reads named ``@<sample>:<n>/<mate>`` (n from 1, the pair's number)."""
    n = len(bases)
    body = np.empty((n, 2 * READ_LENGTH + 4), dtype=np.uint8)
    body[:, :READ_LENGTH] = to_ascii(bases)
    body[:, READ_LENGTH] = ord("\n")
    body[:, READ_LENGTH + 1] = ord("+")
    body[:, READ_LENGTH + 2] = ord("\n")
    body[:, READ_LENGTH + 3:2 * READ_LENGTH + 3] = qualities + 33
    body[:, 2 * READ_LENGTH + 3] = ord("\n")
    raw = body.tobytes()
    width = 2 * READ_LENGTH + 4
    prefix = f"@{sample}:"
    suffix = f"/{mate}\n".encode("ascii")
    return b"".join(
        (prefix + str(i + 1)).encode("ascii") + suffix + raw[i * width:(i + 1) * width]
        for i in range(n))
