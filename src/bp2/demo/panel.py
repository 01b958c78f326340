"""The demo's gene panel as a PanelApp API v1 panel record (``/api/v1/panels/{id}/``).

Keys and value formats follow real PanelApp records (``confidence_level`` is a string, "3" =
green; ``mode_of_inheritance`` uses PanelApp's exact strings; Ensembl locations are keyed
``GRch38`` → release → ``location`` "chrom:start-end" without a ``chr`` prefix).  The locations
given under ``GRch38`` are coordinates on the demo build, which stands in for GRCh38.
"""

from __future__ import annotations

from typing import Any

from bp2.demo.genes import Gene
from bp2.demo.genome import Genome

MONOALLELIC = "MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted"
BIALLELIC = "BIALLELIC, autosomal or pseudoautosomal"
X_LINKED_RECESSIVE = "X-LINKED: hemizygous mutation in males, biallelic mutations in females"
X_LINKED_DOMINANT = ("X-LINKED: hemizygous mutation in males, monoallelic mutations in females "
                     "may cause disease (may be less severe, later onset than males)")
MITOCHONDRIAL = "MITOCHONDRIAL"

GREEN, AMBER, RED = "3", "2", "1"

# symbol → (confidence_level, mode_of_inheritance); genes absent here are off the panel
PANEL_GENES: dict[str, tuple[str, str]] = {
    "BPD1": (GREEN, MONOALLELIC),
    "BPD2": (GREEN, MONOALLELIC),
    "BPD3": (GREEN, BIALLELIC),
    "BPD4": (GREEN, BIALLELIC),
    "BPD5": (GREEN, BIALLELIC),
    "BPD6": (GREEN, BIALLELIC),
    "BPD7": (GREEN, BIALLELIC),
    "BPD9": (GREEN, BIALLELIC),
    "BPDX1": (GREEN, X_LINKED_RECESSIVE),
    "MT-BPD1": (GREEN, MITOCHONDRIAL),
    "BPDX2": (AMBER, X_LINKED_DOMINANT),
    "BPDNC1": (RED, "Unknown"),
}
EVIDENCE = {GREEN: ["Expert Review Green", "NHS GMS"], AMBER: ["Expert Review Amber"],
            RED: ["Expert Review Red"]}
PANEL_ID = 99001
PANEL_NAME = "bp2 demo synthetic disorder"
PANEL_VERSION = "1.0"


def _location(gene: Gene) -> str:
    chrom = "MT" if gene.chrom == "chrM" else gene.chrom.removeprefix("chr")
    return f"{chrom}:{gene.start}-{gene.end}"


def _gene_entry(gene: Gene, confidence: str, moi: str) -> dict[str, Any]:
    return {
        "gene_data": {
            "alias": [],
            "biotype": gene.biotype,
            "hgnc_id": f"HGNC:{990_000 + gene.number}",
            "gene_name": gene.description,
            "omim_gene": [],
            "alias_name": None,
            "gene_symbol": gene.symbol,
            "hgnc_symbol": gene.symbol,
            "hgnc_release": "2024-01-01",
            "ensembl_genes": {"GRch38": {"90": {"location": _location(gene),
                                                "ensembl_id": gene.gene_id}}},
            "hgnc_date_symbol_changed": "2024-01-01",
        },
        "entity_type": "gene",
        "entity_name": gene.symbol,
        "confidence_level": confidence,
        "penetrance": "Complete",
        "mode_of_pathogenicity": "",
        "publications": [],
        "evidence": EVIDENCE[confidence],
        "phenotypes": ["bp2 demo synthetic disorder (not a real disease)"],
        "mode_of_inheritance": moi,
        "tags": [],
        "transcript": None,
    }


def panel_record(genome: Genome) -> dict[str, Any]:
    genes = [_gene_entry(genome.gene(symbol), confidence, moi)
             for symbol, (confidence, moi) in sorted(PANEL_GENES.items())]
    return {
        "id": PANEL_ID,
        "hash_id": None,
        "name": PANEL_NAME,
        "disease_group": "bp2 demo",
        "disease_sub_group": "Synthetic",
        "status": "public",
        "version": PANEL_VERSION,
        "version_created": "2024-01-01T00:00:00.000000Z",
        "relevant_disorders": ["R999"],
        "stats": {"number_of_genes": len(genes), "number_of_strs": 0, "number_of_regions": 0},
        "types": [
            {"name": "GMS Rare Disease", "slug": "gms-rare-disease",
             "description": "This panel type is used for GMS panels that are not virtual (i.e. "
                            "could be a wet lab test)"},
            {"name": "GMS signed-off", "slug": "gms-signed-off",
             "description": "This panel has undergone review by a NHSE GMS disease specialist "
                            "group and processes to be signed-off for use within the GMS."},
        ],
        "genes": genes,
        "strs": [],
        "regions": [],
    }
