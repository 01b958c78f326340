"""bp2's segregation filters against genmod's inheritance models on genmod's example VCF.

genmod 3.2.6's expected output (``test_vcf_regions_models.vcf``, made with
``recessive_trio.ped``: healthy father and mother, affected son ``proband``) annotates each
record's ``GeneticModels`` for family 1.  This module turns genmod's input VCF into a tier-stage
input (:func:`convert`, :func:`write_tier_case`), and compares, record by record, bp2's
``segregation.tsv`` (complete penetrance) with genmod's models through this name mapping:

=================  =====================================  ==================================
model              genmod names                           bp2 (GEL) filters
=================  =====================================  ==================================
AR_hom             AR_hom                                 SimpleRecessive
AR_comp            AR_comp                                CompoundHeterozygous
AD                 AD                                     InheritedAutosomalDominant
de novo            AD_dn, XD_dn, XR_dn                    deNovo
X-linked           XD, XR, XD_dn, XR_dn                   XLinkedSimpleRecessive,
                                                          XLinkedMonoallelic,
                                                          XLinkedCompoundHeterozygous
AR_hom_dn          AR_hom_dn                              UniparentalIsodisomy
=================  =====================================  ==================================

genmod's ``AR_comp_dn`` (a compound pair one of whose variants needs a de novo event) has no
GEL counterpart: GEL's CompoundHeterozygous takes one variant from each parent.

Preparing the input (done here, in code, so it is reviewable): the three samples of family 1
are kept (the VCF sample IDs must equal the PED's; family 2 is not in ``recessive_trio.ped``);
genmod's gene annotation (INFO ``Annotation``, ``Exonic``) is written as a VEP-style ``CSQ``
(``missense_variant`` for an exonic variant, ``intron_variant`` otherwise, one entry per gene),
which plays the role of genmod's rule that compound pairs are exonic variants of one gene; and
the header gets the FORMAT lines and GRCh37 contig lengths of ``1``, ``10``, ``X`` and ``MT``
that the file's ``##reference`` (b37) implies.

Every disagreement found so far has been reviewed record by record; :data:`EXPLANATIONS` holds
the committed explanation of each (also rendered into ``tests/stages/tier/genmod_comparison.md``,
which a test proves current).  A disagreement without an entry there is *unexplained*: validation
protocol VAL-005 requires none, and an entry no disagreement matches any more is *unmatched*.
This module is the one implementation, used by ``bp2 validate`` (:mod:`bp2.validation.tiering`)
and by the tier stage's tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bp2.errors import InputError
from bp2.fileio import write_json_atomic, write_text_atomic

IMPLEMENTS = ("SRS-342",)

CSQ_FORMAT = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
              "HGVSc|HGVSp|HGNC_ID|CANONICAL")

FAMILY_SAMPLES = ("father", "mother", "proband")
GRCH37 = {"1": 249_250_621, "10": 135_534_747, "X": 155_270_560, "MT": 16_569}

MODELS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "AR_hom": (frozenset({"AR_hom"}), frozenset({"SimpleRecessive"})),
    "AR_comp": (frozenset({"AR_comp"}), frozenset({"CompoundHeterozygous"})),
    "AD": (frozenset({"AD"}), frozenset({"InheritedAutosomalDominant"})),
    "de novo": (frozenset({"AD_dn", "XD_dn", "XR_dn"}), frozenset({"deNovo"})),
    "X-linked": (frozenset({"XD", "XR", "XD_dn", "XR_dn"}),
                 frozenset({"XLinkedSimpleRecessive", "XLinkedMonoallelic",
                            "XLinkedCompoundHeterozygous"})),
    "AR_hom_dn": (frozenset({"AR_hom_dn"}), frozenset({"UniparentalIsodisomy"})),
}

# Every record where genmod and bp2 disagree on a model, and why.
EXPLANATIONS: dict[tuple[str, str], str] = {
    ("de novo", "10:76154076"): (
        "genmod AD_dn, bp2 no deNovo. The father is ungenotyped (./.). genmod (not in --strict "
        "mode) lets a missing parent be homozygous reference; bp2, like DRAGEN's and slivar's "
        "de novo calls, needs both parents genotyped homozygous reference. bp2 reports the "
        "record as InheritedAutosomalDominant instead (the father could carry it), as genmod's "
        "AD does."),
    ("X-linked", "X:302253"): (
        "genmod XD|XR, bp2 no X-linked filter. X:302,253 lies in PAR1 of GRCh37 "
        "(60,001-2,699,520), where the son has two copies like an autosome; bp2 segregates PAR "
        "variants with the autosomal filters (tiering.yaml par_is_pseudoautosomal) and finds "
        "UniparentalIsodisomy (son 1/1, mother 0/1, father 0/0). genmod does not model PARs."),
    ("AR_hom_dn", "X:302253"): (
        "bp2 UniparentalIsodisomy, genmod no AR_hom_dn: the same PAR1 record; genmod applies "
        "its X-linked models to every X position, bp2 the autosomal ones inside the PARs "
        "(son 1/1 with a 0/1 mother and a 0/0 father is maternal isodisomy or a de novo "
        "event on the paternal allele)."),
    ("AR_hom_dn", "1:879541"): (
        "genmod AR_hom_dn|AR_hom, bp2 SimpleRecessive only. The father is ungenotyped, so "
        "genmod also allows the de novo/UPD explanation; bp2's UniparentalIsodisomy needs both "
        "parents genotyped (one carrier, one homozygous reference)."),
    ("AR_hom_dn", "MT:302253"): (
        "genmod AR_hom_dn, bp2 no UniparentalIsodisomy: genmod treats MT as an autosome; bp2 "
        "segregates MT only with MitochondrialGenome, which under complete penetrance fails "
        "here because the unaffected mother carries the variant (0/1); under incomplete "
        "penetrance bp2 reports MitochondrialGenome."),
}



def convert(text: str, samples: Sequence[str] = FAMILY_SAMPLES) -> str:
    """genmod's input VCF → a tier-stage VCF of one family's samples (see the module docstring).

    A sample missing from the VCF header raises ValueError naming it.
    """
    out: list[str] = []
    keep: list[int] = []
    for line in text.splitlines():
        if line.startswith("##contig"):
            continue
        if line.startswith("##"):
            out.append(line)
            continue
        cols = line.split("\t")
        if line.startswith("#CHROM"):
            out += [f"##contig=<ID={name},length={length},assembly=b37>"
                    for name, length in GRCH37.items()]
            out += [
                '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
                f'Ensembl VEP. Format: {CSQ_FORMAT}">',
                '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
                '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
                '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
            ]
            missing = [s for s in samples if s not in cols[9:]]
            if missing:
                raise ValueError(f"samples {missing} are not in the VCF header "
                                 f"(samples: {', '.join(cols[9:])})")
            keep = [cols.index(s) for s in samples]
            out.append("\t".join(cols[:9] + [cols[i] for i in keep]))
            continue
        info = {key: value for key, _, value in (item.partition("=")
                                                 for item in cols[7].split(";"))}
        genes = [g for g in info.get("Annotation", "").split(",") if g]
        consequence = "missense_variant" if "Exonic" in info else "intron_variant"
        ref, alt = cols[3], cols[4]
        allele = alt if len(ref) == len(alt) else (alt[1:] or "-")
        entries = [f"{allele}|{consequence}||{g}||Transcript|{g}-T1|protein_coding||||||YES"
                   for g in genes]
        if entries:
            cols[7] += ";CSQ=" + ",".join(entries)
        out.append("\t".join(cols[:9] + [cols[i] for i in keep]))
    return "\n".join(out) + "\n"


def genmod_models(text: str, family: str = "1") -> dict[str, frozenset[str]]:
    """``chrom:pos`` → genmod's models for the family (empty when none)."""
    found: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        models: frozenset[str] = frozenset()
        for item in cols[7].split(";"):
            if item.startswith("GeneticModels="):
                for part in item.removeprefix("GeneticModels=").split(","):
                    fam, _, names = part.partition(":")
                    if fam == family:
                        models = frozenset(names.split("|"))
        found[f"{cols[0]}:{cols[1]}"] = models
    return found


def bp2_filters(segregation_tsv: Path, penetrance: str = "complete"
                ) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    header, *rows = segregation_tsv.read_text().splitlines()
    names = header.split("\t")
    for row in rows:
        cells = dict(zip(names, row.split("\t"), strict=True))
        if cells["penetrance"] == penetrance:
            found.setdefault(f"{cells['chrom']}:{cells['pos']}", set()).add(cells["segregation"])
    return {k: frozenset(v) for k, v in found.items()}



def compare(genmod: Mapping[str, frozenset[str]], bp2: Mapping[str, frozenset[str]]
            ) -> dict[str, dict[tuple[bool, bool], list[str]]]:
    """model → (genmod says yes, bp2 says yes) → records."""
    tables: dict[str, dict[tuple[bool, bool], list[str]]] = {}
    for model, (genmod_names, bp2_names) in MODELS.items():
        cells: dict[tuple[bool, bool], list[str]] = {
            (g, b): [] for g in (True, False) for b in (True, False)}
        for record in genmod:
            g = bool(genmod[record] & genmod_names)
            b = bool(bp2.get(record, frozenset()) & bp2_names)
            cells[(g, b)].append(record)
        tables[model] = cells
    return tables


def disagreements(tables: Mapping[str, Mapping[tuple[bool, bool], list[str]]]
                  ) -> set[tuple[str, str]]:
    return {(model, record) for model, cells in tables.items()
            for (g, b), records in cells.items() if g != b for record in records}


def render(genmod: Mapping[str, frozenset[str]], bp2: Mapping[str, frozenset[str]]) -> str:
    tables = compare(genmod, bp2)
    lines = [
        "# bp2 segregation vs genmod inheritance models",
        "",
        "Generated by `python -m tests.stages.tier.genmod_report` (checked by "
        "`tests/stages/tier/test_external.py`; also written by `bp2 validate VAL-005`). "
        "Input: genmod 3.2.6's example "
        "`test_vcf_regions.vcf` with `recessive_trio.ped` (family 1: unaffected father and "
        "mother, affected son); expected models: `test_vcf_regions_models.vcf` "
        "(`GeneticModels` of family 1). bp2: `bp2 stage run tier`, `segregation.tsv`, "
        "complete penetrance. Input preparation, the name mapping and the explanations are "
        "in `src/bp2/validation/genmod.py`.",
        "",
        "## Name mapping",
        "",
        "| model | genmod | bp2 (GEL) |",
        "|---|---|---|",
    ]
    for model, (g, b) in MODELS.items():
        lines.append(f"| {model} | {', '.join(sorted(g))} | {', '.join(sorted(b))} |")
    lines += ["", "genmod's `AR_comp_dn` (a compound pair needing a de novo event) has no GEL "
              "counterpart: GEL's CompoundHeterozygous takes one variant from each parent.", "",
              "## Records", "", "| record | genmod | bp2 |", "|---|---|---|"]
    for record in genmod:
        lines.append(f"| {record} | {', '.join(sorted(genmod[record])) or '-'} | "
                     f"{', '.join(sorted(bp2.get(record, frozenset()))) or '-'} |")
    lines += ["", f"## Confusion tables ({len(genmod)} records)", ""]
    for model, cells in tables.items():
        lines += [f"### {model}", "", "| | bp2 yes | bp2 no |", "|---|---|---|"]
        for says in (True, False):
            lines.append(f"| genmod {'yes' if says else 'no'} | {len(cells[(says, True)])} | "
                         f"{len(cells[(says, False)])} |")
        agree = len(cells[(True, True)]) + len(cells[(False, False)])
        lines += ["", f"Agreement: {agree}/{len(genmod)}.", ""]
    lines += ["## Disagreements explained", ""]
    found = disagreements(tables)
    if not found:
        lines.append("None.")
    for model, record in sorted(found):
        lines.append(f"* **{model}, {record}**: {EXPLANATIONS.get((model, record), 'UNEXPLAINED')}")
    return "\n".join(lines) + "\n"




def slug(model: str) -> str:
    """A model's name as a figure name part: ``X-linked`` → ``x_linked``."""
    return model.lower().replace(" ", "_").replace("-", "_")


@dataclass(frozen=True)
class Comparison:
    """The per-model confusion tables of genmod vs bp2 and their disagreements' review state."""

    genmod: Mapping[str, frozenset[str]]
    bp2: Mapping[str, frozenset[str]]
    tables: Mapping[str, Mapping[tuple[bool, bool], list[str]]]
    disagreements: frozenset[tuple[str, str]]
    unexplained: frozenset[tuple[str, str]]  # found, with no committed explanation
    unmatched: frozenset[tuple[str, str]]  # explained, but no longer found

    @classmethod
    def of(cls, genmod: Mapping[str, frozenset[str]], bp2: Mapping[str, frozenset[str]],
           explanations: Mapping[tuple[str, str], str] = EXPLANATIONS) -> Comparison:
        tables = compare(genmod, bp2)
        found = frozenset(disagreements(tables))
        return cls(genmod, bp2, tables, found, found - set(explanations),
                   frozenset(explanations) - found)

    def figures(self) -> dict[str, int | float]:
        """``genmod.<model>.{both,genmod_only,bp2_only,neither,agreement}`` and the totals."""
        out: dict[str, int | float] = {"genmod.records": len(self.genmod)}
        for model, cells in self.tables.items():
            base = f"genmod.{slug(model)}"
            out[f"{base}.both"] = len(cells[(True, True)])
            out[f"{base}.genmod_only"] = len(cells[(True, False)])
            out[f"{base}.bp2_only"] = len(cells[(False, True)])
            out[f"{base}.neither"] = len(cells[(False, False)])
            agree = len(cells[(True, True)]) + len(cells[(False, False)])
            out[f"{base}.agreement"] = agree / len(self.genmod) if self.genmod else 0.0
        out["genmod.disagreements"] = len(self.disagreements)
        out["genmod.unexplained"] = len(self.unexplained)
        out["genmod.explanations_unmatched"] = len(self.unmatched)
        return out


def family_rows(ped: Path, family: str) -> list[list[str]]:
    """The six PED columns of one family's rows (comment and blank lines skipped), in order.

    A family the PED does not hold is an InputError naming the file.
    """
    rows: list[list[str]] = []
    families: set[str] = set()
    for raw in ped.read_text(encoding="utf-8").splitlines():
        fields = raw.split()
        if not fields or fields[0].startswith("#"):
            continue
        families.add(fields[0])
        if fields[0] == family and len(fields) >= 6:
            rows.append(fields[:6])
    if not rows:
        raise InputError(f"the PED has no family '{family}' (families: "
                         f"{', '.join(sorted(families)) or 'none'})", path=ped,
                         hint="name a family of the PED in the protocol's execution.genmod.family")
    return rows


def write_tier_case(genmod_input: Path, ped: Path, panels: Path, rules: Path, workdir: Path,
                    family: str = "1") -> Path:
    """Write one family's converted VCF and PED and the tier stage's ``inputs.json``.

    Returns the inputs.json path, ready for ``bp2 stage run tier --inputs``.  A family the PED
    does not hold, or a sample of it missing from the VCF, is an InputError naming the file.
    """
    rows = family_rows(ped, family)
    try:
        converted = convert(genmod_input.read_text(encoding="utf-8"), [r[1] for r in rows])
    except ValueError as exc:
        raise InputError(f"genmod VCF: {exc}", path=genmod_input,
                         hint="name the family's samples as the VCF header does") from None
    workdir.mkdir(parents=True, exist_ok=True)
    vcf, family_ped = workdir / "genmod_family.vcf", workdir / "genmod_family.ped"
    write_text_atomic(vcf, converted)
    write_text_atomic(family_ped, "".join("\t".join(r) + "\n" for r in rows))
    inputs = workdir / "inputs.json"
    write_json_atomic(inputs, {"vcf": vcf.name, "pedigree": family_ped.name,
                               "panels": str(panels.resolve()), "rules": str(rules.resolve())})
    return inputs
