"""Tests of the panels stage: PanelApp JSON → normalised green genes with tiering MOIs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bp2.engine.execute import execute_unit
from bp2.errors import InputError
from bp2.stages.panels import PanelsStage
from tests.stages.panels.answer_key import ANSWER_KEY
from tests.stages.tier.helpers import BIALLELIC, RULES, panel_record
from tests.testdata import data_file

pytestmark = pytest.mark.needs_data
STAGE = PanelsStage()


def run(tmp_path: Path, panels: list[Path], gene_model: Path | None = None,
        **params: Any) -> dict[str, Any]:
    inputs = STAGE.Inputs(panels=tuple(panels), rules=RULES, gene_model=gene_model)
    outputs, _ = execute_unit(STAGE, inputs, STAGE.Params(**params), tmp_path / "out",
                              unit="test")
    document: dict[str, Any] = json.loads(outputs.panels_json.read_text())
    return document


def write(path: Path, record: Any) -> Path:
    path.write_text(json.dumps(record))
    return path


@pytest.mark.verifies("SRS-220", "SRS-221", "SRS-222")
def test_answer_key(tmp_path: Path) -> None:
    """It keeps the green genes of three real PanelApp panels with their hand-counted figures."""
    inputs, params = ANSWER_KEY.build(tmp_path / "in")
    outputs, _ = execute_unit(STAGE, inputs, params, tmp_path / "out", unit="answer-key")
    ANSWER_KEY.check(outputs)


@pytest.mark.verifies("SRS-223")
def test_matches_real_gencode_by_ensembl_id(tmp_path: Path) -> None:
    """It matches green genes to the real GENCODE chr21 GTF by (unversioned) Ensembl gene ID."""
    gtf = data_file("annotation/grch38_chr21_gencode.gtf")
    text = gtf.read_text()
    assert 'gene_id "ENSG00000142192.' in text and 'gene_name "APP"' in text
    record = panel_record([("APP", "ENSG00000142192", "3", BIALLELIC),
                           ("NOTINGTF", "ENSG00000999999", "2", BIALLELIC)])
    document = run(tmp_path, [write(tmp_path / "p.json", record)], gene_model=gtf)
    (gene,) = document["panels"][0]["green_genes"]
    assert gene["gene_model"]["gene_id"] == "ENSG00000142192"
    assert gene["gene_model"]["matched_by"] == "ensembl_id"
    assert gene["gene_model"]["contig"] == "chr21"
    assert document["gene_matching"] == "gene model"


@pytest.mark.verifies("SRS-223")
def test_green_gene_missing_from_gene_model_is_an_error(tmp_path: Path) -> None:
    """It stops, naming every green gene the gene model lacks (real panels vs chr21 GTF)."""
    gtf = data_file("annotation/grch38_chr21_gencode.gtf")
    panels = data_file("panels/scout_panelapp_panels.jsonl")
    with pytest.raises(InputError) as info:
        run(tmp_path, [panels], gene_model=gtf)
    message = str(info.value)
    assert "69 problem(s)" in message  # 13 + 4 + 52 green genes, none on chr21 9.98-29.7 Mb
    assert "green gene BAP1 (ENSG00000163930, HGNC:950) is not in the gene model" in message


@pytest.mark.verifies("SRS-223")
def test_matches_by_hgnc_id(tmp_path: Path) -> None:
    """It matches by HGNC ID when the gene model has no gene with the panel's Ensembl ID."""
    gtf = tmp_path / "genes.gtf"
    gtf.write_text('chr1\tX\tgene\t100\t200\t.\t+\t.\tgene_id "ENSG00000111111.3"; '
                   'gene_name "GENE1"; gene_type "protein_coding"; hgnc_id "HGNC:4242";\n')
    record = panel_record([("GENE1", "ENSG00000222222", "3", BIALLELIC)])
    record["genes"][0]["gene_data"]["hgnc_id"] = "HGNC:4242"
    document = run(tmp_path, [write(tmp_path / "p.json", record)], gene_model=gtf)
    model = document["panels"][0]["green_genes"][0]["gene_model"]
    assert (model["gene_id"], model["matched_by"], model["start"]) == (
        "ENSG00000111111", "hgnc_id", 100)


@pytest.mark.verifies("SRS-222")
def test_unknown_moi_on_green_gene_is_an_error(tmp_path: Path) -> None:
    """It stops on a green gene whose MOI string is not PanelApp's, naming gene and string."""
    record = panel_record([("GENE1", "ENSG1", "3", "Biallelic autosomal"),
                           ("GENE2", "ENSG2", "2", "whatever amber says")])
    with pytest.raises(InputError) as info:
        run(tmp_path, [write(tmp_path / "p.json", record)])
    message = str(info.value)
    assert "1 problem(s)" in message
    assert "green gene GENE1 has an unknown mode_of_inheritance 'Biallelic autosomal'" in message


@pytest.mark.verifies("SRS-222")
def test_unspecified_moi_maps_to_unknown(tmp_path: Path) -> None:
    """It maps an empty or 'Other' MOI of a green gene to 'unknown' with every filter."""
    record = panel_record([("GENE1", "ENSG1", "3", ""), ("GENE2", "ENSG2", "3", "Other")])
    genes = run(tmp_path, [write(tmp_path / "p.json", record)])["panels"][0]["green_genes"]
    assert {g["tiering_moi"] for g in genes} == {"unknown"}
    assert len(genes[0]["segregation_filters"]) == 11


@pytest.mark.verifies("SRS-220", "SRS-225")
def test_several_panels_in_id_order_and_duplicates_refused(tmp_path: Path) -> None:
    """It reads panels from several files in ID order, and refuses a panel ID given twice."""
    first = write(tmp_path / "a.json", panel_record([("G1", "E1", "3", BIALLELIC)], panel_id=20))
    second = write(tmp_path / "b.json", [panel_record([("G2", "E2", "3", BIALLELIC)],
                                                      panel_id=3)])
    document = run(tmp_path, [first, second])
    assert [p["id"] for p in document["panels"]] == ["3", "20"]
    assert [p["source_file"] for p in document["panels"]] == ["b.json", "a.json"]
    with pytest.raises(InputError, match="panel 20 is given twice"):
        run(tmp_path / "dup", [first, first])


@pytest.mark.verifies("SRS-225", "SRS-022")
def test_signed_off_status(tmp_path: Path) -> None:
    """It records GMS signed-off status and, when asked, refuses a panel without it."""
    record = panel_record([("G1", "E1", "3", BIALLELIC)])
    record["types"] = []
    path = write(tmp_path / "p.json", record)
    assert run(tmp_path, [path])["panels"][0]["gms_signed_off"] is False
    with pytest.raises(InputError, match="not a GMS signed-off panel"):
        run(tmp_path / "strict", [path], require_signed_off=True)
    record["signed_off"] = "2024-05-01"
    strict = run(tmp_path / "dated", [write(tmp_path / "q.json", record)],
                 require_signed_off=True)
    assert strict["panels"][0]["signed_off"] == "2024-05-01"


@pytest.mark.verifies("SRS-225")
def test_output_is_deterministic(tmp_path: Path) -> None:
    """It writes byte-identical panels.json for the same inputs."""
    panels = data_file("panels/scout_panelapp_panels.jsonl")
    a = STAGE.run(STAGE.Inputs(panels=(panels,), rules=RULES), STAGE.Params(),
                  _ctx(tmp_path / "a"))
    b = STAGE.run(STAGE.Inputs(panels=(panels,), rules=RULES), STAGE.Params(),
                  _ctx(tmp_path / "b"))
    assert a.panels_json.read_bytes() == b.panels_json.read_bytes()


def _ctx(path: Path) -> Any:
    from bp2.stages.base import StageContext

    return StageContext(outdir=path)


@pytest.mark.verifies("SRS-222", "SRS-258")
def test_cli_refuses_unknown_moi(tmp_path: Path, bp2_exe: str) -> None:
    """Through the CLI, an unknown MOI string exits 3 and names the gene and the string."""
    write(tmp_path / "p.json", panel_record([("GENE9", "E9", "3", "MONOALLELIC")]))
    shutil.copyfile(RULES, tmp_path / "tiering.yaml")
    (tmp_path / "inputs.json").write_text(json.dumps({"panels": ["p.json"],
                                                      "rules": "tiering.yaml"}))
    proc = subprocess.run([bp2_exe, "stage", "run", "panels", "--inputs",
                           str(tmp_path / "inputs.json"), "--outdir", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 3
    assert "GENE9" in proc.stderr and "'MONOALLELIC'" in proc.stderr


@pytest.mark.verifies("SRS-257")
def test_cli_reads_only_named_files(tmp_path: Path, bp2_exe: str) -> None:
    """Through the CLI, in a directory holding only the named files, it gives the same output."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copyfile(data_file("panels/scout_panelapp_panels.jsonl"), work / "panels.jsonl")
    shutil.copyfile(RULES, work / "tiering.yaml")
    (work / "inputs.json").write_text(json.dumps({"panels": ["panels.jsonl"],
                                                  "rules": "tiering.yaml"}))
    # the test panels include ones that are not GMS signed-off, which the clinical definition
    # refuses (SRS-022); the answer key runs with the stage's permissive default
    (tmp_path / "params.json").write_text(json.dumps({"require_signed_off": False}))
    proc = subprocess.run([bp2_exe, "stage", "run", "panels", "--inputs", "inputs.json",
                           "--params", str(tmp_path / "params.json"), "--outdir", "out"],
                          cwd=work, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    inputs, params = ANSWER_KEY.build(tmp_path / "direct")
    outputs, _ = execute_unit(STAGE, inputs, params, tmp_path / "direct-out", unit="x")
    assert (work / "out" / "panels.json").read_bytes() == outputs.panels_json.read_bytes()
    assert sorted(p.name for p in work.iterdir()) == ["inputs.json", "out", "panels.jsonl",
                                                      "tiering.yaml"]
