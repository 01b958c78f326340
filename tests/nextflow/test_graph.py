"""Dry binds classify what each stage reads; an undeclared file is refused."""

from __future__ import annotations

import pytest

from bp2.errors import InputError
from bp2.nextflow.graph import case_file_paths, dry_bind, synthetic_case
from bp2.stages.registry import REGISTRY


@pytest.mark.verifies("SRS-405")
def test_a_file_outside_the_declared_inputs_is_refused() -> None:
    """It refuses a bound file that is neither a case file, an upstream output nor installed."""
    case, run_context = synthetic_case()
    declared = frozenset(p for p in case_file_paths(case, run_context)
                         if not p.name.startswith("ref.fa.gz.fai"))
    with pytest.raises(InputError) as caught:
        dry_bind(REGISTRY["align"], "proband", case, [], run_context=run_context,
                 case_paths=declared)
    assert caught.value.field == "reference_index" and "not a declared input" in caught.value.title


@pytest.mark.verifies("SRS-405", "SRS-400")
def test_reads_are_split_into_case_files_upstream_units_and_installation() -> None:
    """It stages the index beside the reference, reads align per sample and rules from bp2."""
    case, run_context = synthetic_case()
    paths = frozenset(case_file_paths(case, run_context))
    qc = dry_bind(REGISTRY["qc_alignment"], "mother", case, [REGISTRY["align"]],
                  run_context=run_context, case_paths=paths)
    assert qc.upstream == (("align", "mother"),)
    assert {p.name for p in qc.case_files} >= {"ref.fa.gz", "ref.fa.gz.fai", "ref.fa.gz.gzi"}
    panels = dry_bind(REGISTRY["panels"], "case", case, [], run_context=run_context,
                      case_paths=paths)
    assert [p.name for p in panels.installation] == ["tiering.yaml"]
