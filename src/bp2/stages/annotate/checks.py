"""Safety checks that the gene model, the resources and the called VCF belong to the reference.

* **Contig names.**  A file that names a contig differently from the reference (``20`` against
  ``chr20``, ``MT`` against ``chrM``) would silently annotate nothing there: it is refused,
  naming both files.  Contigs of the gene model absent from the reference under every naming
  (scaffolds a reduced reference lacks) are skipped and counted.
* **Coordinates.**  A gene that ends past its contig's end is refused (a gene model in another
  coordinate system, e.g. a whole-chromosome file against a slice).
* **Coding sequences.**  Every complete coding transcript (no ``cds_start_NF``/``cds_end_NF``
  tag) should start with a start codon, end with a stop codon, have no stop in between and a
  length divisible by 3.  When more than ``max_invalid_fraction`` of them fail, the gene model
  does not describe this reference (another build, or shifted coordinates) and the run stops.

Pure functions over names, lengths and :class:`~.transcripts.TranscriptSequence`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bp2.errors import InputError
from bp2.stages.annotate.codons import GeneticCode, translate
from bp2.stages.annotate.transcripts import TranscriptSequence

IMPLEMENTS = ("SRS-208", "SRS-209")

# NCBI translation tables 1 and 2: codons that may start translation.
START_CODONS = {
    GeneticCode.STANDARD: frozenset({"ATG", "CTG", "TTG"}),
    GeneticCode.VERTEBRATE_MITOCHONDRIAL: frozenset({"ATT", "ATC", "ATA", "ATG", "GTG"}),
}


def alternative_name(name: str, names: Iterable[str]) -> str | None:
    """The name ``name`` has among ``names`` under the other naming convention, if any."""
    pool = set(names)
    candidates = []
    if name.startswith("chr"):
        candidates.append(name[3:])
    else:
        candidates.append(f"chr{name}")
    if name in ("MT", "M"):
        candidates.append("chrM")
    if name == "chrM":
        candidates.append("MT")
    return next((c for c in candidates if c in pool), None)


def contig_naming(names: Iterable[str], reference: Mapping[str, int], path: Path,
                  reference_path: Path, role: str, field: str) -> set[str]:
    """The names of ``path`` that are reference contigs; refuses differently named contigs and
    a file sharing no contig with the reference."""
    wanted = set(names)
    present = wanted & set(reference)
    renamed = sorted((n, alt) for n in wanted - present
                     if (alt := alternative_name(n, reference)) is not None)
    if renamed:
        name, alt = renamed[0]
        more = f" (and {len(renamed) - 1} more)" if len(renamed) > 1 else ""
        raise InputError(
            f"the {role} names contig '{name}' where the reference {reference_path.name} has "
            f"'{alt}'{more}", path=path, field=field,
            hint=f"use a {role} with the reference's contig names (same build and naming as "
            f"{reference_path})")
    if wanted and not present:
        shown = ", ".join(sorted(wanted)[:5])
        raise InputError(
            f"none of the {role}'s contigs ({shown}) is in the reference {reference_path.name}",
            path=path, field=field,
            hint=f"give a {role} for the reference's build and contig names")
    return present


@dataclass(frozen=True)
class CdsProblem:
    transcript_id: str
    where: str
    reason: str


def cds_problem(seq: TranscriptSequence) -> CdsProblem | None:
    """Why a complete coding sequence is not a valid open reading frame (None when it is)."""
    model = seq.model
    cds = seq.cds
    where = (f"{model.contig}:{model.coding[0]}-{model.coding[1]}" if model.coding
             else model.contig)
    if not seq.is_coding:
        return CdsProblem(model.transcript_id, where, "its CDS does not lie in its exons")
    if len(cds) % 3:
        return CdsProblem(model.transcript_id, where,
                          f"CDS length {len(cds)} is not a multiple of 3")
    first, last = cds[:3].upper(), cds[-3:].upper()
    if first not in START_CODONS[model.code]:
        return CdsProblem(model.transcript_id, where, f"CDS starts with {first}, not a start "
                          "codon")
    protein = translate(cds, model.code)
    if not protein.endswith("*"):
        return CdsProblem(model.transcript_id, where, f"CDS ends with {last}, not a stop codon")
    if "*" in protein[:-1]:
        return CdsProblem(model.transcript_id, where,
                          f"CDS has a stop codon at codon {protein.index('*') + 1}")
    return None


def check_cds_fraction(problems: list[CdsProblem], checked: int, max_fraction: float,
                       gene_model: Path, reference: Path) -> None:
    """Refuse a gene model whose coding sequences mostly do not translate on this reference."""
    if checked == 0 or len(problems) <= max_fraction * checked:
        return
    example = problems[0]
    raise InputError(
        f"the gene model does not fit the reference {reference.name}: {len(problems)} of "
        f"{checked} complete coding transcripts are not open reading frames (e.g. "
        f"{example.transcript_id} at {example.where}: {example.reason})",
        path=gene_model, field="gene_model",
        hint="give the gene model of this reference's build in the same coordinates (a "
        "shifted or other-build GTF/GFF3 gives wrong consequences); the parameter "
        "max_invalid_cds_fraction sets the tolerance")
