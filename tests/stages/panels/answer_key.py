"""Answer key of the ``panels`` stage: three real PanelApp panels, counted by hand.

Source: ``panels/scout_panelapp_panels.jsonl`` (real PanelApp API records).  Read by eye, gene by
gene, from the file:

* 399 "Additional findings health related" v0.116: 14 genes, 13 green, CFTR "0" (no list);
  MUTYH is BIALLELIC, APOB/LDLR/... NOT imprinted, the other nine "imprinted status unknown".
* 522 "Familial melanoma" v2.5: 8 genes; green BAP1, CDK4, CDKN2A, POT1 (all "imprinted status
  unknown"); amber ACD, BRCA2, TERF2IP (MOI ""), TERT.  Types include ``gms-signed-off``.
* 1141 "Acute rhabdomyolysis" v2.8: 69 genes: 52 green, 7 amber, 10 red; DMD, PGK1, PHKA1
  X-linked recessive, LAMP2 X-linked dominant-like, MT-CO1/MT-CO2 MITOCHONDRIAL, CAV3 BOTH.

GelReportModels' mapping (``tiering.yaml``) turns those strings into the tiering MOIs checked
below.  No gene model is given, so matching is deferred to the tier stage.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bp2.fileio import canonical_json
from bp2.stages.base import StageInputs, StageOutputs, StageParams
from bp2.stages.panels import PanelsStage
from tests.stages.conformance import AnswerKey
from tests.testdata import data_file

REPO = Path(__file__).resolve().parents[3]

EXPECTED = {
    "399": ("Additional findings health related", "0.116", 13, 0, 0, 1),
    "522": ("Familial melanoma", "2.5", 4, 4, 0, 0),
    "1141": ("Acute rhabdomyolysis", "2.8", 52, 7, 10, 0),
}
EXPECTED_MOI = {
    ("399", "MUTYH"): "biallelic",
    ("399", "APOB"): "monoallelic_not_imprinted",
    ("399", "APC"): "monoallelic",
    ("522", "BAP1"): "monoallelic",
    ("1141", "DMD"): "xlinked_biallelic",
    ("1141", "LAMP2"): "xlinked_monoallelic",
    ("1141", "MT-CO1"): "mitochondrial",
    ("1141", "CAV3"): "monoallelic_and_biallelic",
    ("1141", "ACADM"): "biallelic",
}


def build(directory: Path) -> tuple[StageInputs, StageParams]:
    directory.mkdir(parents=True, exist_ok=True)
    panels = directory / "panels.jsonl"
    shutil.copyfile(data_file("panels/scout_panelapp_panels.jsonl"), panels)
    rules = directory / "tiering.yaml"
    shutil.copyfile(REPO / "pipeline" / "tiering.yaml", rules)
    stage = PanelsStage()
    return stage.Inputs(panels=(panels,), rules=rules), stage.Params()


def check(outputs: StageOutputs) -> None:
    document = json.loads(outputs.panels_json.read_text())  # type: ignore[attr-defined]
    panels = {p["id"]: p for p in document["panels"]}
    assert set(panels) == set(EXPECTED)
    assert [p["id"] for p in document["panels"]] == ["399", "522", "1141"]
    for panel_id, (name, version, green, amber, red, no_list) in EXPECTED.items():
        panel = panels[panel_id]
        assert (panel["name"], panel["version"]) == (name, version)
        assert panel["confidence_counts"] == {"green": green, "amber": amber, "red": red,
                                              "no_list": no_list}
        assert len(panel["green_genes"]) == green
    assert [g["symbol"] for g in panels["522"]["green_genes"]] == ["BAP1", "CDK4", "CDKN2A",
                                                                   "POT1"]
    assert panels["522"]["gms_signed_off"] and not panels["399"]["gms_signed_off"]
    for (panel_id, symbol), moi in EXPECTED_MOI.items():
        gene = next(g for g in panels[panel_id]["green_genes"] if g["symbol"] == symbol)
        assert gene["tiering_moi"] == moi, (panel_id, symbol)
    prkag2 = [g for g in panels["1141"]["green_genes"] if g["symbol"] == "PRKAG2"]
    assert prkag2 == []  # amber: not a green gene


def normalise(outputs: StageOutputs) -> bytes:
    document = json.loads(outputs.panels_json.read_text())  # type: ignore[attr-defined]
    return canonical_json(document).encode()


ANSWER_KEY = AnswerKey(
    stage_id="panels",
    source="real PanelApp records (panels/scout_panelapp_panels.jsonl) with gene counts and MOI "
    "strings read by hand, mapped by GelReportModels' PanelApp-to-enum table",
    build=build,
    check=check,
    normalise=normalise,
)
