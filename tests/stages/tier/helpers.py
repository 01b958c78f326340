"""Builders for hand-made tier inputs: VCF text, PED, panels.json and a stage runner."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bp2.annotation import POPULATION_AF_KEYS, population_af_key
from bp2.engine.execute import execute_unit
from bp2.panelapp import parse_panel
from bp2.stages.base import StageOutputs
from bp2.stages.panels.normalise import SourcedPanel, normalise
from bp2.stages.tier import TierStage
from bp2.stages.tier.rules import load_rules

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "pipeline" / "tiering.yaml"
GRCH38 = {"chr1": 248_956_422, "chr2": 242_193_529, "chrX": 156_040_895, "chrY": 57_227_415,
          "chrM": 16_569}
CSQ_FORMAT = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
              "HGVSc|HGVSp|HGNC_ID|CANONICAL")

BIALLELIC = "BIALLELIC, autosomal or pseudoautosomal"
MONOALLELIC = "MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted"
X_RECESSIVE = "X-LINKED: hemizygous mutation in males, biallelic mutations in females"
X_DOMINANT = ("X-LINKED: hemizygous mutation in males, monoallelic mutations in females may "
              "cause disease (may be less severe, later onset than males)")
MITO = "MITOCHONDRIAL"


@dataclass(frozen=True)
class Csq:
    """One CSQ entry (VEP style)."""

    consequence: str
    symbol: str
    gene: str  # Ensembl gene ID
    transcript: str
    biotype: str = "protein_coding"
    hgvsc: str = ""
    hgvsp: str = ""
    impact: str = ""  # written to IMPACT; bp2 recomputes it from the SO table

    def render(self, allele: str) -> str:
        return "|".join([allele, self.consequence, self.impact or "MODIFIER", self.symbol,
                         self.gene, "Transcript", self.transcript, self.biotype, "", "",
                         self.hgvsc, self.hgvsp, "", "YES"])


@dataclass(frozen=True)
class Rec:
    """One hand-made VCF record."""

    chrom: str
    pos: int
    ref: str
    alt: str
    gts: Mapping[str, str]  # sample → GT (optionally GT:GQ:DP:AD)
    csq: Sequence[Csq] = ()
    info: Mapping[str, str] = field(default_factory=dict)
    filter: str = "PASS"


def vcf_text(samples: Sequence[str], records: Sequence[Rec],
             contigs: Mapping[str, int] = GRCH38, fmt: str = "GT:GQ:DP:AD") -> str:
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=LowQual,Description="Low quality">']
    lines += [f"##contig=<ID={name},length={length}>" for name, length in contigs.items()]
    lines += [
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
        f'VEP. Format: {CSQ_FORMAT}">',
        *(f'##INFO=<ID={key},Number=A,Type=Float,Description="gnomAD v3.1.2 AF">'
          for key in (population_af_key(), *POPULATION_AF_KEYS)),
        '##INFO=<ID=INTERNAL_AF,Number=A,Type=Float,Description="cohort AF">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">',
        "#" + "\t".join(["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                         "FORMAT", *samples]),
    ]
    for rec in records:
        info = dict(rec.info)
        if rec.csq:
            allele = rec.alt if len(rec.ref) == len(rec.alt) else (rec.alt[1:] or "-")
            info["CSQ"] = ",".join(c.render(allele) for c in rec.csq)
        info_text = ";".join(f"{k}={v}" for k, v in info.items()) or "."
        cells = []
        for sample in samples:
            value = rec.gts.get(sample, "./.")
            width = len(fmt.split(":"))
            parts = value.split(":")
            cells.append(":".join(parts + ["."] * (width - len(parts))))
        lines.append("\t".join([rec.chrom, str(rec.pos), ".", rec.ref, rec.alt, "50",
                                rec.filter, info_text, fmt, *cells]))
    return "\n".join(lines) + "\n"


def ped_text(rows: Sequence[tuple[str, str, str, int, int]], family: str = "FAM") -> str:
    """rows: (individual, father, mother, sex 1/2/0, phenotype 2/1/0)."""
    return "".join(f"{family}\t{i}\t{f}\t{m}\t{s}\t{p}\n" for i, f, m, s, p in rows)


TRIO = [("child", "father", "mother", 1, 2), ("father", "0", "0", 1, 1),
        ("mother", "0", "0", 2, 1)]


def panel_record(genes: Sequence[tuple[str, str, str, str]], panel_id: int = 1,
                 name: str = "Test panel", version: str = "1.0",
                 biotype: str = "protein_coding") -> dict[str, Any]:
    """A PanelApp panel record; genes: (symbol, ensembl id, confidence, MOI string)."""
    return {
        "id": panel_id, "name": name, "version": version, "status": "public",
        "types": [{"name": "GMS signed-off", "slug": "gms-signed-off"}],
        "genes": [{
            "gene_data": {"gene_symbol": s, "hgnc_id": None, "biotype": biotype,
                          "ensembl_genes": {"GRch38": {"90": {"ensembl_id": e,
                                                              "location": "1:1-2"}}}},
            "entity_type": "gene", "entity_name": s, "confidence_level": c,
            "mode_of_inheritance": moi, "penetrance": "Complete",
        } for s, e, c, moi in genes],
        "strs": [], "regions": [],
    }


def panels_document(*records: dict[str, Any]) -> dict[str, Any]:
    rules = load_rules(RULES)
    panels = [SourcedPanel(parse_panel(r, "test.json"), Path("test.json")) for r in records]
    return normalise(panels, rules, None)


def write_case(directory: Path, samples: Sequence[str], records: Sequence[Rec],
               ped_rows: Sequence[tuple[str, str, str, int, int]],
               panels: dict[str, Any], *, contigs: Mapping[str, int] = GRCH38,
               fmt: str = "GT:GQ:DP:AD") -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    vcf = directory / "case.vcf"
    vcf.write_text(vcf_text(samples, records, contigs, fmt))
    ped = directory / "case.ped"
    ped.write_text(ped_text(ped_rows))
    panels_json = directory / "panels.json"
    panels_json.write_text(json.dumps(panels))
    rules = directory / "tiering.yaml"
    shutil.copyfile(RULES, rules)
    return {"vcf": vcf, "pedigree": ped, "panels": panels_json, "rules": rules}


def run_tier(paths: Mapping[str, Path | tuple[Path, ...]], outdir: Path,
             **params: Any) -> StageOutputs:
    stage = TierStage()
    inputs = stage.Inputs.model_validate(dict(paths))
    outputs, _ = execute_unit(stage, inputs, stage.Params(**params), outdir, unit="test")
    return outputs


def read_tsv(path: Path) -> list[dict[str, str]]:
    header, *rows = path.read_text().splitlines()
    names = header.split("\t")
    return [dict(zip(names, row.split("\t"), strict=True)) for row in rows]
