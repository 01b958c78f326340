"""PanelApp panel records: green genes, identifiers and the accepted file layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bp2.errors import InputError
from bp2.panelapp import parse_panels_text, read_panels
from tests.testdata import data_file


@pytest.mark.verifies("SRS-172")
def test_real_panelapp_records() -> None:
    """It reads the three real PanelApp panels of the test data with their green genes."""
    panels = read_panels(data_file("panels/scout_panelapp_panels.jsonl"))
    assert [(p.id, p.name, p.version) for p in panels] == [
        ("522", "Familial melanoma", "2.5"), ("1141", "Acute rhabdomyolysis", "2.8"),
        ("399", "Additional findings health related", "0.116")]
    melanoma = panels[0]
    assert len(melanoma.genes) == 8
    bap1 = next(g for g in melanoma.genes if g.symbol == "BAP1")
    assert bap1.is_green and bap1.hgnc_id == "HGNC:950"
    assert bap1.ensembl_ids == ("ENSG00000163930",)
    assert bap1.mode_of_inheritance.startswith("MONOALLELIC")
    assert all(g.confidence_level == "3" for g in melanoma.green_genes())
    assert 0 < len(melanoma.green_genes()) < len(melanoma.genes)
    assert melanoma.label == "Familial melanoma (522 v2.5)"


RECORD = {"id": 7, "name": "Test", "version": "1.0", "strs": [{"entity_name": "X"}],
          "genes": [{"entity_name": "OLD", "confidence_level": 3},
                    {"gene_data": {"gene_symbol": "NEW", "ensembl_genes": {}},
                     "entity_type": "gene", "confidence_level": "2"},
                    {"entity_type": "region", "entity_name": "R1", "confidence_level": "3"}]}


@pytest.mark.verifies("SRS-172")
def test_layouts_and_old_api_fields() -> None:
    """It reads one record, a list and an API results page alike, old and new field names."""
    for text in (json.dumps(RECORD), json.dumps([RECORD]), json.dumps({"results": [RECORD]})):
        (panel,) = parse_panels_text(text, "p.json")
        assert [g.symbol for g in panel.genes] == ["OLD", "NEW"]
        assert [g.symbol for g in panel.green_genes()] == ["OLD"]  # numeric 3 read as "3"
        assert panel.other_entities == 2 and panel.id == "7"


@pytest.mark.verifies("SRS-172")
def test_refusals(tmp_path: Path) -> None:
    """It refuses a panel list without genes, a gene without symbol, and bad JSON by line."""
    listing = data_file("panels/scout_panelapp_panel_ids_reduced.json")
    with pytest.raises(InputError) as caught:
        read_panels(listing)
    assert "no 'genes' list" in caught.value.title and caught.value.exit_code == 3
    nameless = {**RECORD, "genes": [{"confidence_level": "3"}]}
    with pytest.raises(InputError) as caught:
        parse_panels_text(json.dumps(nameless), "p.json")
    assert "no gene symbol" in caught.value.title
    lines = tmp_path / "p.jsonl"
    lines.write_text(json.dumps(RECORD) + "\n{oops\n")
    with pytest.raises(InputError) as caught:
        read_panels(lines)
    assert caught.value.line == 2
    with pytest.raises(InputError) as caught:
        parse_panels_text('{"id": 1,', "p.json")
    assert "not valid JSON" in caught.value.title
