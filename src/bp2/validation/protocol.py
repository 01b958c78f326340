"""Executable validation protocols: ``validation/VAL-*.yaml`` plus its ``execution`` block.

A protocol is loaded with the trace engine's model (:class:`bp2.trace.items.ValidationProtocol`)
so the design history and ``bp2 validate`` read the same file the same way.  Its ``execution``
block, validated here, says how software runs it:

``germline-accuracy``
    build a case (samplesheet + PED) from the dataset files, run the pipeline, benchmark the
    evaluated sample against the truth inside the confident regions (optionally ∩ a window), run
    the bare minimap2 + samtools + bcftools chain on the same reads, and optionally repeat the
    run and re-run the case with swapped or replaced samples;
``demo``
    run ``bp2 demo`` and check it against the demo's own answer keys;
``kill-resume``
    kill runs of the demo at seeded moments, resume them and compare every data output;
``tiering-trio``
    run the tier stage alone (``bp2 stage run tier``) on a real trio VCF once per de novo
    genotype-gate parameter set and count the de novo candidates, and on genmod's example VCF to
    compare bp2's segregation with genmod's inheritance models (:mod:`bp2.validation.tiering`);
``not-executable``
    a site protocol or human review: recorded as not executed, with the reason.

Dataset paths may use ``${BP2_TEST_DATA}`` (the public test data, default ``../shared/data``
beside the project) and ``${BP2_DEMO_CASE}`` (the demo case ``bp2 validate`` generates); every
file's sha256 is checked before anything runs, and a mismatch stops the protocol with exit 3.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bp2.errors import InputError
from bp2.fileio import sha256_file
from bp2.trace.items import ValidationProtocol
from bp2.yamlio import load_yaml, parse_model

IMPLEMENTS = ("SRS-330", "SRS-331", "SRS-344")

TEST_DATA_VAR = "BP2_TEST_DATA"
DEMO_CASE_VAR = "BP2_DEMO_CASE"
_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PipelineSpec(_Strict):
    """Which pipeline definition a protocol runs.

    ``through`` keeps the packaged definition's stages up to and including that stage, with the
    same pinned versions and parameters (e.g. the calling and QC stages for a chr20 test window,
    which has no gene model for annotation).
    """

    definition: Literal["packaged"] = "packaged"
    through: str | None = None


class SampleSpec(_Strict):
    """A sample of the case; with ``execution.pedigree`` its family links come from that PED and
    ``affected`` overrides the PED's phenotype (test-data PEDs often say 0 = unknown)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    sex: Literal["male", "female", "unknown"]
    fastq_1: Key
    fastq_2: Key
    father: str | None = None
    mother: str | None = None
    affected: bool = False


class Scenario(_Strict):
    """A re-run of the case with some samples' reads replaced (sample swap, unrelated sample).

    The scenario must not pass family QC: its outcome is counted by ``identity.passing``.
    """

    name: Key
    description: str = Field(min_length=1)
    reads: dict[str, tuple[Key, Key]] = Field(min_length=1)


class AccuracyExecution(_Strict):
    kind: Literal["germline-accuracy"]
    reference: Key
    samples: list[SampleSpec] = Field(min_length=1)
    pedigree: Key | None = None
    truth: Key
    confident: Key
    evaluate_sample: str
    truth_sample: str | None = None
    window: str | None = Field(default=None, pattern=r"^[^:\s]+:\d+-\d+$")
    pipeline: PipelineSpec = PipelineSpec()
    comparator: Literal["bare-chain"] | None = "bare-chain"
    repeat: bool = True
    scenarios: list[Scenario] = Field(default_factory=list)
    threads: int = Field(default=2, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> AccuracyExecution:
        ids = [s.id for s in self.samples]
        if self.evaluate_sample not in ids:
            raise ValueError(f"evaluate_sample '{self.evaluate_sample}' is not one of {ids}")
        for scenario in self.scenarios:
            unknown = set(scenario.reads) - set(ids)
            if unknown:
                raise ValueError(f"scenario '{scenario.name}' names unknown samples "
                                 f"{sorted(unknown)}")
        return self

    def window_interval(self) -> tuple[str, int, int] | None:
        """The window as (contig, 0-based start, end) — BED coordinates."""
        if self.window is None:
            return None
        contig, _, span = self.window.rpartition(":")
        start, end = (int(x) for x in span.split("-"))
        return contig, start - 1, end


class DemoExecution(_Strict):
    kind: Literal["demo"]
    depth: float = Field(default=35.0, gt=0)
    truth: Key
    expected_tiers: Key
    bare_chain_sample: str | None = "proband"
    repeat_depth: float | None = Field(default=None, gt=0)
    threads: int = Field(default=2, ge=1)


class KillResumeExecution(_Strict):
    kind: Literal["kill-resume"]
    depth: float = Field(default=4.0, gt=0)
    kills: int = Field(default=3, ge=1)
    seed: int = 13485
    truth: Key
    threads: int = Field(default=2, ge=1)


ParamValue = int | float | bool | str | None


class GateSet(_Strict):
    """One set of tier-stage parameters (e.g. the de novo genotype gates of a slivar expression),
    checked against the tier stage's parameters before anything runs."""

    name: Key
    description: str = Field(min_length=1)
    params: dict[str, ParamValue] = Field(default_factory=dict)


class GenmodSpec(_Strict):
    """genmod's input VCF, the PED it was run with, its annotated output and the family compared."""

    vcf: Key
    pedigree: Key
    expected: Key
    family: str = Field(default="1", min_length=1)
    version: str | None = None  # genmod's version that made ``expected``


class TieringTrioExecution(_Strict):
    kind: Literal["tiering-trio"]
    vcf: Key
    vcf_index: Key | None = None
    pedigree: Key
    panels: Key
    panels_params: dict[str, ParamValue] = Field(default_factory=dict)
    params: dict[str, ParamValue] = Field(default_factory=dict)  # tier overrides for every run
    de_novo: list[GateSet] = Field(min_length=1)
    genmod: GenmodSpec | None = None

    @model_validator(mode="after")
    def _unique(self) -> TieringTrioExecution:
        names = [g.name for g in self.de_novo]
        if len(set(names)) != len(names):
            raise ValueError(f"de novo gate set names must be unique: {names}")
        return self

    def stage_params(self, gate_set: GateSet) -> dict[str, ParamValue]:
        """The tier-stage parameter overrides of one run: the shared ones, then the gate set's."""
        return {**self.params, **gate_set.params}


class NotExecutable(_Strict):
    kind: Literal["not-executable"]
    reason: str = Field(min_length=1)


Execution = Annotated[
    AccuracyExecution | DemoExecution | KillResumeExecution | TieringTrioExecution
    | NotExecutable,
    Field(discriminator="kind"),
]


class _ExecutionDoc(_Strict):
    execution: Execution


class Protocol:
    """A loaded protocol: the design-history item, its execution and where it lives."""

    def __init__(self, item: ValidationProtocol, execution: Execution | None, path: Path,
                 sha256: str) -> None:
        self.item = item
        self.execution = execution
        self.path = path
        self.sha256 = sha256

    @property
    def id(self) -> str:
        return str(self.item.id)

    def dataset_keys(self) -> dict[str, int]:
        return {d.key: i for i, d in enumerate(self.item.datasets) if d.key is not None}


def protocol_path(root: Path, protocol_id: str) -> Path:
    return root / "validation" / f"{protocol_id}.yaml"


def list_protocols(root: Path) -> list[str]:
    folder = root / "validation"
    if not folder.is_dir():
        raise InputError.missing_file(folder, "validation protocol folder")
    return sorted(p.stem for p in folder.glob("VAL-*.yaml"))


def load_protocol(root: Path, protocol_id: str) -> Protocol:
    """Load ``validation/<ID>.yaml``; a bad execution block names its field."""
    path = protocol_path(root, protocol_id)
    if not re.fullmatch(r"VAL-\d{3,}", protocol_id):
        raise InputError(f"'{protocol_id}' is not a validation protocol ID",
                         field="VAL-ID", hint="give an ID such as VAL-003 (see validation/)")
    data = load_yaml(path, "validation protocol")
    item = parse_model(ValidationProtocol, data, path, "validation protocol")
    if item.id != protocol_id:
        raise InputError.invalid_field(path, "id", f"the file holds {item.id}, not "
                                       f"{protocol_id}")
    execution: Execution | None = None
    if item.execution is not None:
        try:
            execution = _ExecutionDoc.model_validate({"execution": item.execution}).execution
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise InputError.invalid_field(path, loc, err["msg"]) from None
    protocol = Protocol(item, execution, path, sha256_file(path))
    _check_keys(protocol)
    return protocol


def _check_keys(protocol: Protocol) -> None:
    execution = protocol.execution
    keys = protocol.dataset_keys()
    used: list[tuple[str, str]] = []
    if isinstance(execution, AccuracyExecution):
        if execution.pedigree is not None:
            used.append(("execution.pedigree", execution.pedigree))
        used += [("execution.reference", execution.reference),
                 ("execution.truth", execution.truth),
                 ("execution.confident", execution.confident)]
        for i, s in enumerate(execution.samples):
            used += [(f"execution.samples[{i}].fastq_1", s.fastq_1),
                     (f"execution.samples[{i}].fastq_2", s.fastq_2)]
        for scenario in execution.scenarios:
            for sample, pair in scenario.reads.items():
                used += [(f"execution.scenarios.{scenario.name}.{sample}", k) for k in pair]
    elif isinstance(execution, DemoExecution):
        used += [("execution.truth", execution.truth),
                 ("execution.expected_tiers", execution.expected_tiers)]
    elif isinstance(execution, KillResumeExecution):
        used += [("execution.truth", execution.truth)]
    elif isinstance(execution, TieringTrioExecution):
        used += [(f"execution.{f}", k) for f, k in (
            ("vcf", execution.vcf), ("vcf_index", execution.vcf_index),
            ("pedigree", execution.pedigree), ("panels", execution.panels)) if k is not None]
        if execution.genmod is not None:
            g = execution.genmod
            used += [("execution.genmod.vcf", g.vcf), ("execution.genmod.pedigree", g.pedigree),
                     ("execution.genmod.expected", g.expected)]
    for field, key in used:
        if key not in keys:
            raise InputError.invalid_field(
                protocol.path, field, f"no dataset has key '{key}' (keys: "
                f"{', '.join(sorted(keys)) or 'none'})")
    if execution is not None and not isinstance(execution, NotExecutable):
        missing = [i for i, c in enumerate(protocol.item.acceptance_criteria) if c.measure is None]
        if missing:
            raise InputError.invalid_field(
                protocol.path, f"acceptance_criteria[{missing[0]}].measure",
                "an executable protocol needs a 'measure' on every criterion")


def default_test_data(root: Path) -> Path:
    return Path(os.environ.get(TEST_DATA_VAR) or root.parent / "shared" / "data")


def expand(path: str, variables: dict[str, Path]) -> Path:
    """Replace ``${NAME}`` in a dataset path; an unknown variable is an input error."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise InputError(f"unknown variable ${{{name}}} in a dataset path",
                             field="datasets.path",
                             hint=f"use one of {', '.join('${' + v + '}' for v in variables)}")
        return str(variables[name])

    return Path(_VAR.sub(sub, path))


class ResolvedDataset(_Strict):
    key: str | None
    name: str
    path: Path
    sha256: str


def resolve_datasets(protocol: Protocol, variables: dict[str, Path], *,
                     only_available: set[str] | None = None) -> dict[str, ResolvedDataset]:
    """Resolve and sha256-check every dataset (all of them, or those whose variables are given).

    Returns them by key (or by name when a dataset has no key).  A missing file or a checksum
    mismatch raises InputError (exit 3) naming the protocol, the dataset and the fix.
    """
    resolved: dict[str, ResolvedDataset] = {}
    for index, dataset in enumerate(protocol.item.datasets):
        if dataset.path is None:
            raise InputError.invalid_field(protocol.path, f"datasets[{index}].path",
                                           "an executable protocol needs local dataset paths")
        names = set(_VAR.findall(dataset.path))
        if only_available is not None and not names <= only_available:
            continue
        path = expand(dataset.path, variables)
        if not path.is_file():
            hint = (f"set {TEST_DATA_VAR} to the public test data folder (now "
                    f"{variables.get(TEST_DATA_VAR)})" if TEST_DATA_VAR in names else
                    "check the dataset path in the protocol")
            raise InputError(f"dataset '{dataset.name}' of {protocol.id} not found", path=path,
                             item_id=protocol.id, hint=hint)
        actual = sha256_file(path)
        if actual != dataset.sha256:
            err = InputError.checksum_mismatch(path, dataset.sha256, actual, item_id=protocol.id)
            err.title = f"dataset '{dataset.name}': {err.title}"
            err.field = f"datasets[{index}].sha256"
            raise err
        resolved[dataset.key or dataset.name] = ResolvedDataset(
            key=dataset.key, name=dataset.name, path=path, sha256=actual)
    return resolved
