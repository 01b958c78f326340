"""bp2's segregation filters against genmod's inheritance models on genmod's example VCF.

genmod 3.2.6's expected output (``test_vcf_regions_models.vcf``, made with
``recessive_trio.ped``: healthy father and mother, affected son ``proband``) annotates each
record's ``GeneticModels`` for family 1.  This module turns genmod's input VCF into a tier-stage
input, runs ``bp2 stage run tier`` on it, and compares, record by record, bp2's
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
that the file's ``##reference`` (b37) implies.  Run ``python -m tests.stages.tier.genmod_report``
to rewrite ``genmod_comparison.md``; a test proves the committed file is current.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.stages.tier.helpers import CSQ_FORMAT, RULES, panel_record, panels_document

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


def convert(text: str) -> str:
    """genmod's input VCF → a tier-stage VCF for family 1 (see the module docstring)."""
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
            keep = [cols.index(s) for s in FAMILY_SAMPLES]
            out.append("\t".join(cols[:9] + [cols[i] for i in keep]))
            continue
        info = dict(
            (item.split("=", 1) if "=" in item else (item, "")) for item in cols[7].split(";")
        )
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


def run_bp2(genmod_input: Path, ped: Path, workdir: Path, bp2: str) -> Path:
    """Run ``bp2 stage run tier`` on the converted genmod VCF; return segregation.tsv."""
    workdir.mkdir(parents=True, exist_ok=True)
    vcf = workdir / "genmod_family1.vcf"
    vcf.write_text(convert(genmod_input.read_text()))
    panels = workdir / "panels.json"
    panels.write_text(json.dumps(panels_document(panel_record(
        [("NOC2L", "ENSG00000188976", "3", "BIALLELIC, autosomal or pseudoautosomal")]))))
    inputs = workdir / "inputs.json"
    inputs.write_text(json.dumps({"vcf": vcf.name, "pedigree": str(ped), "panels": panels.name,
                                  "rules": str(RULES)}))
    params = workdir / "params.json"
    params.write_text(json.dumps({"require_frequency_annotation": False}))
    out = workdir / "out"
    proc = subprocess.run([bp2, "stage", "run", "tier", "--inputs", str(inputs), "--params",
                           str(params), "--outdir", str(out)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bp2 stage run tier failed: {proc.stderr}")
    return out / "segregation.tsv"


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
        "`tests/stages/tier/test_genmod.py`). Input: genmod 3.2.6's example "
        "`test_vcf_regions.vcf` with `recessive_trio.ped` (family 1: unaffected father and "
        "mother, affected son); expected models: `test_vcf_regions_models.vcf` "
        "(`GeneticModels` of family 1). bp2: `bp2 stage run tier`, `segregation.tsv`, "
        "complete penetrance. Input preparation and the name mapping are described in "
        "`tests/stages/tier/genmod_report.py`.",
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
        for g in (True, False):
            lines.append(f"| genmod {'yes' if g else 'no'} | {len(cells[(g, True)])} | "
                         f"{len(cells[(g, False)])} |")
        agree = len(cells[(True, True)]) + len(cells[(False, False)])
        lines += ["", f"Agreement: {agree}/{len(genmod)}.", ""]
    lines += ["## Disagreements explained", ""]
    found = disagreements(tables)
    if not found:
        lines.append("None.")
    for model, record in sorted(found):
        lines.append(f"* **{model}, {record}**: {EXPLANATIONS.get((model, record), 'UNEXPLAINED')}")
    return "\n".join(lines) + "\n"


def main() -> None:  # pragma: no cover - maintenance entry point
    import tempfile

    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    base = data / "family_trio_vcfs" / "genmod_inheritance_models"
    with tempfile.TemporaryDirectory() as tmp:
        bp2 = str(Path(sys.executable).parent / "bp2")
        seg = run_bp2(base / "test_vcf_regions.vcf", base / "recessive_trio.ped", Path(tmp), bp2)
        text = render(genmod_models((base / "test_vcf_regions_models.vcf").read_text()),
                      bp2_filters(seg))
    target = Path(__file__).with_name("genmod_comparison.md")
    target.write_text(text)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
