"""bp2.demo: a deterministic synthetic trio with a known answer, for installation checks.

``generate_demo_case(outdir, seed=13485, depth=30.0)`` writes a small GRCh38-like genome
(autosomes with repeats, chrX with PARs, chrY, chrM), a gene model, a trio (affected son and
unaffected parents) with planted variants of every kind tiering must find and decoys it must not,
simulated paired reads, the truth VCF and confident regions, population-AF, ClinVar and
common-SNP resources, a PanelApp panel and the expected-tier answer key.  No network, no data
beyond the package; the same seed gives byte-identical files.
"""

from __future__ import annotations

from bp2.demo.case import DEFAULT_SEED, GENERATOR_VERSION, DemoCase, DemoSample, generate_demo_case

IMPLEMENTS = (
    "SRS-060", "SRS-061", "SRS-062", "SRS-063", "SRS-064", "SRS-065", "SRS-066", "SRS-067",
)

__all__ = [
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "IMPLEMENTS",
    "DemoCase",
    "DemoSample",
    "generate_demo_case",
]
