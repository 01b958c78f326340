"""generate_demo_case end to end: files, determinism, loadability by bp2, panel format, speed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bp2.case import Sex, check_case, read_pedigree, read_samplesheet
from bp2.demo import DemoCase, generate_demo_case
from bp2.errors import InputError, UsageError
from bp2.fileio import sha256_file
from bp2.resources import load_resources, verify_resources
from tests.demo.conftest import Generated
from tests.testdata import data_file

PANELAPP_MOIS = {
    "MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted",
    "MONOALLELIC, autosomal or pseudoautosomal, maternally imprinted (paternal allele expressed)",
    "MONOALLELIC, autosomal or pseudoautosomal, paternally imprinted (maternal allele expressed)",
    "MONOALLELIC, autosomal or pseudoautosomal, imprinted status unknown",
    "BIALLELIC, autosomal or pseudoautosomal",
    "BOTH monoallelic and biallelic, autosomal or pseudoautosomal",
    "BOTH monoallelic and biallelic (but BIALLELIC mutations cause a more SEVERE disease form), "
    "autosomal or pseudoautosomal",
    "X-LINKED: hemizygous mutation in males, biallelic mutations in females",
    "X-LINKED: hemizygous mutation in males, monoallelic mutations in females may cause disease "
    "(may be less severe, later onset than males)",
    "MITOCHONDRIAL", "Unknown", "Other - please specifiy in evaluation comments", "Other", "",
}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): sha256_file(p) for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.mark.verifies("SRS-060")
def test_case_lists_every_file_it_writes(case: DemoCase) -> None:
    """It returns a DemoCase naming every file written under the case folder, and no other."""
    on_disk = {p for p in case.root.rglob("*") if p.is_file()}
    assert set(case.files()) == on_disk
    names = {p.name for p in on_disk}
    assert {"reference.fa", "reference.fa.fai", "genes.gtf", "truth.vcf.gz", "truth.vcf.gz.tbi",
            "confident.bed", "population_af.vcf.gz", "population_af.vcf.gz.tbi",
            "clinvar.vcf.gz", "clinvar.vcf.gz.tbi", "common_snps.vcf.gz",
            "common_snps.vcf.gz.tbi", "panel.json", "expected_tiers.tsv", "ploidy.txt",
            "samplesheet.csv", "pedigree.ped", "resources.yaml", "README.md"} <= names
    assert len(case.samples) == 3 and all(s.fastq_1.is_file() for s in case.samples)


@pytest.mark.verifies("SRS-061")
def test_same_seed_gives_byte_identical_files(small_case: DemoCase, tmp_path: Path) -> None:
    """It writes byte-identical files (same sha256 for every file) when run twice."""
    again = generate_demo_case(tmp_path / "again", depth=4.0)
    assert _digests(again.root) == _digests(small_case.root)


@pytest.mark.verifies("SRS-061")
def test_depth_changes_only_the_reads(case: DemoCase, small_case: DemoCase) -> None:
    """It keeps reference, truth, resources and answer key identical across depths."""
    deep, shallow = _digests(case.root), _digests(small_case.root)
    differing = {name for name in deep if deep[name] != shallow[name]}
    assert differing == {f"reads/{s}_R{m}.fastq.gz" for s in ("proband", "father", "mother")
                         for m in (1, 2)} | {"README.md"}


@pytest.mark.verifies("SRS-061")
def test_another_seed_gives_another_case(small_case: DemoCase, tmp_path: Path) -> None:
    """It draws a different genome, truth and reads from a different seed."""
    other = generate_demo_case(tmp_path / "other", seed=7, depth=1.0)
    assert sha256_file(other.reference) != sha256_file(small_case.reference)
    assert sha256_file(other.truth_vcf) != sha256_file(small_case.truth_vcf)


@pytest.mark.verifies("SRS-060")
def test_resources_yaml_loads_and_verifies(case: DemoCase) -> None:
    """It writes a resources.yaml that bp2 loads and whose every sha256 verifies."""
    resources = load_resources(case.resources)
    verify_resources(resources, case.resources)
    names = {name for name, _ in resources.items()}
    assert names == {"reference", "gene_model", "population_af", "clinvar", "common_snps",
                     "ploidy"}
    assert all(res.build == "bp2-demo-1" for _, res in resources.items())
    assert resources.reference.index is not None
    for name in ("population_af", "clinvar", "common_snps"):
        resource = getattr(resources, name)
        assert resource.index is not None and resource.index.path.name.endswith(".tbi")
    assert "sha256" in case.resources.read_text() and "/" not in "".join(
        line.split(":", 1)[1] for line in case.resources.read_text().splitlines()
        if line.strip().startswith("path:"))  # relative paths


@pytest.mark.verifies("SRS-060")
def test_samplesheet_and_pedigree_pass_bp2_case_checks(case: DemoCase) -> None:
    """It writes a samplesheet and PED that pass bp2's case cross-checks."""
    sheet = read_samplesheet(case.samplesheet)
    ped = read_pedigree(case.pedigree)
    assert check_case(sheet, ped) == []
    assert ped.affected == ("proband",)
    son = ped.get("proband")
    assert son is not None and (son.father, son.mother) == ("father", "mother")
    assert {r.sample: r.sex for r in sheet.rows} == {
        "proband": Sex.MALE, "father": Sex.MALE, "mother": Sex.FEMALE}
    assert all(p.is_file() for row in sheet.rows for p in row.files)


@pytest.mark.needs_data
@pytest.mark.verifies("SRS-060")
def test_panel_json_has_the_keys_of_a_real_panelapp_record(case: DemoCase) -> None:
    """It writes panel.json with the keys and value formats of a real PanelApp record."""
    real_lines = data_file("panels/scout_panelapp_panels.jsonl").read_text().splitlines()
    real = json.loads(real_lines[0])
    panel = json.loads(case.panel.read_text())
    assert set(panel) == set(real)
    real_gene = real["genes"][0]
    for gene in panel["genes"]:
        assert set(gene) == set(real_gene)
        assert set(gene["gene_data"]) == set(real_gene["gene_data"])
        assert gene["entity_type"] == "gene"
        assert gene["confidence_level"] in {"0", "1", "2", "3"}
        assert gene["mode_of_inheritance"] in PANELAPP_MOIS
        location = gene["gene_data"]["ensembl_genes"]["GRch38"]["90"]["location"]
        assert not location.startswith("chr") and ":" in location
    assert panel["stats"]["number_of_genes"] == len(panel["genes"])
    assert {t["slug"] for t in panel["types"]} >= {"gms-signed-off"}


@pytest.mark.verifies("SRS-060")
def test_readme_explains_every_file(case: DemoCase) -> None:
    """It writes a README naming every file of the case and every planted label."""
    text = case.readme.read_text()
    for path in case.files():
        name = path.name
        if name.endswith((".fai", ".tbi")) or path.parent.name == "reads":
            continue
        assert name in text, name
    assert "_R1.fastq.gz" in text
    for label in ("P1", "P2", "P3a", "P3b", "P4", "P5", "P6", "D1", "D2", "D3", "D4", "D5",
                  "D6", "D7"):
        assert f"| {label} |" in text


@pytest.mark.verifies("SRS-060")
def test_relocate_follows_a_renamed_case_folder(small_case: DemoCase, tmp_path: Path) -> None:
    """It gives the case's file paths under a new folder after the folder is renamed."""
    moved = tmp_path / "moved"
    shutil.copytree(small_case.root, moved)
    relocated = small_case.relocate(moved)
    assert relocated.root == moved
    assert all(p.is_file() and moved in p.parents for p in relocated.files())


@pytest.mark.verifies("SRS-067")
def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    """It refuses to write into a folder that already holds files, and writes nothing there."""
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        generate_demo_case(tmp_path, depth=1.0)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.verifies("SRS-067")
@pytest.mark.parametrize(("depth", "seed"), [(0.0, 1), (-3.0, 1), (500.0, 1), (4.0, -1)])
def test_refuses_impossible_depth_or_seed(tmp_path: Path, depth: float, seed: int) -> None:
    """It rejects a depth outside (0, 200] or a negative seed before writing anything."""
    with pytest.raises(UsageError):
        generate_demo_case(tmp_path / "case", depth=depth, seed=seed)
    assert not (tmp_path / "case").exists()


@pytest.mark.verifies("SRS-066")
def test_depth_30_case_is_generated_in_under_30_seconds(generated: Generated) -> None:
    """It generates the full depth-30 case in under 30 s of CPU time on one core."""
    assert generated.cpu_seconds < 30.0  # CPU time: robust to other jobs sharing the machine
    assert generated.seconds < 120.0  # and no hidden waiting
