"""Tests of the tiering rules file: sourced rules, GEL's values, the packaged copy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bp2.errors import InputError
from bp2.stages.tier.rules import ASSUMPTION, Filter, Moi, assumptions, load_rules, packaged_rules
from tests.stages.tier.helpers import RULES


def _edited(tmp_path: Path, edit: str, replacement: str) -> Path:
    text = RULES.read_text()
    assert edit in text
    path = tmp_path / "tiering.yaml"
    path.write_text(text.replace(edit, replacement, 1))
    return path


@pytest.mark.verifies("SRS-237")
def test_packaged_rules_identical() -> None:
    """It ships a copy of pipeline/tiering.yaml in the package, byte for byte."""
    assert packaged_rules().read_bytes() == RULES.read_bytes()


@pytest.mark.verifies("SRS-236")
def test_every_rule_is_sourced() -> None:
    """It gives every rule a GEL source with a known tag, or 'bp2 assumption' with a reason."""
    rules = load_rules(RULES)
    raw = yaml.safe_load(RULES.read_text())
    assert set(raw["rules"]) == {name for name, _ in rules.rules.named_rules()}
    for name, rule in rules.rules.named_rules():
        if rule.source == ASSUMPTION:
            assert rule.reason and len(rule.reason) > 40, name
        else:
            assert rule.source.startswith("GEL "), name
    listed = {a["rule"] for a in assumptions(rules)}
    assert listed == {n for n, r in rules.rules.named_rules() if r.source == ASSUMPTION}
    assert {"moi_filters_derived", "compound_het_phase", "de_novo_genotypes"} <= listed


@pytest.mark.verifies("SRS-236")
@pytest.mark.parametrize(
    ("edit", "replacement", "message"),
    [
        ('    source: "GEL Small variant tiering: Overview, quality [S8]"\n', "",
         "source"),
        ("[S8]\"\n\n  tiered_contigs", "[S99]\"\n\n  tiered_contigs", "S99"),
        ("  de_novo_genotypes:\n    value: child heterozygous",
         "  de_novo_genotypes:\n    value: child homozygous", "de_novo_genotypes"),
        ("reason: >-\n      Tier 3 genes", "note: >-\n      Tier 3 genes", "out_of_panel_filters"),
    ],
)
def test_refuses_unsourced_or_unimplemented_rules(tmp_path: Path, edit: str, replacement: str,
                                                  message: str) -> None:
    """It refuses a rule without source, an unknown source tag, or a behaviour bp2 lacks."""
    with pytest.raises(InputError, match=message):
        load_rules(_edited(tmp_path, edit, replacement))


@pytest.mark.verifies("SRS-246")
def test_frequency_thresholds_are_gels() -> None:
    """It holds GEL's published thresholds (Nembus population-frequency table, S11)."""
    gel = {  # population: (dominant, recessive), gnomAD genomes v3.1.2
        "afr": (0.001, 0.01), "amr": (0.001, 0.01), "fin": (0.001, 0.01), "nfe": (0.001, 0.01),
        "asj": (0.003, 0.01), "eas": (0.002, 0.01), "sas": (0.002, 0.01),
        "ami": (0.1, 0.1), "mid": (0.1, 0.1),
    }
    table = {t.key: t for t in load_rules(RULES).rules.frequency_thresholds.value}
    for population, (dominant, recessive) in gel.items():
        threshold = table[f"gnomAD_AF_{population}"]
        assert (threshold.dominant, threshold.recessive, threshold.mitochondrial) == (
            dominant, recessive, None)
    internal = table["INTERNAL_AF"]
    assert (internal.dominant, internal.recessive, internal.mitochondrial) == (0.001, 0.01, 0.001)


@pytest.mark.verifies("SRS-283", "SRS-236")
def test_overall_threshold_is_a_stated_assumption(tmp_path: Path) -> None:
    """It tests the overall gnomAD AF at the standard dominant/recessive thresholds, as a listed
    bp2 assumption, and refuses an overall key that repeats a population key."""
    rules = load_rules(RULES)
    rule = rules.rules.frequency_threshold_overall
    assert rule.source == ASSUMPTION
    assert (rule.value.key, rule.value.dominant, rule.value.recessive,
            rule.value.mitochondrial) == ("gnomAD_AF", 0.001, 0.01, None)
    assert "frequency_threshold_overall" in {a["rule"] for a in assumptions(rules)}
    assert rules.rules.all_thresholds[-1] == rule.value
    with pytest.raises(InputError, match="also a key of frequency_thresholds"):
        load_rules(_edited(tmp_path, "value: {key: gnomAD_AF, dominant",
                           "value: {key: gnomAD_AF_nfe, dominant"))


@pytest.mark.verifies("SRS-251")
def test_moi_table_is_gels() -> None:
    """It maps GEL's tiering MOIs to GEL's segregation filters (S12 table)."""
    filters = load_rules(RULES).rules.filters_of
    assert set(filters[Moi.BIALLELIC]) == {Filter.SIMPLE_RECESSIVE,
                                           Filter.COMPOUND_HETEROZYGOUS,
                                           Filter.UNIPARENTAL_ISODISOMY}
    assert set(filters[Moi.MONOALLELIC_NOT_IMPRINTED]) == {Filter.INHERITED_AUTOSOMAL_DOMINANT,
                                                           Filter.DE_NOVO}
    assert set(filters[Moi.XLINKED_MONOALLELIC]) == {Filter.X_LINKED_MONOALLELIC,
                                                     Filter.DE_NOVO}
    assert filters[Moi.MITOCHONDRIAL] == (Filter.MITOCHONDRIAL_GENOME,)
    assert set(filters[Moi.UNKNOWN]) == set(Filter)
