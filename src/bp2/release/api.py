"""``bp2 release``: the orchestration, callable from Python.

::

    outcome = make_release(ReleaseRequest(version="1.2.0", outdir=Path("out/rel"),
                                          project=root))

Steps, in order, each recorded with its times and exit status: (1) the trace check of the
design history, (2) the test suite with its results captured into the bundle, (3) every
validation protocol, (4) the SOUP inventory.  A dirty work tree runs none of them.  Then the
gate decides, the bundle is rendered into a temporary folder beside ``outdir``, the evidence
manifest is written, and the folder is renamed to ``outdir`` — a bundle that exists is complete.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bp2 import __version__
from bp2.errors import Bp2Error, InputError, UsageError
from bp2.fileio import sha256_file, write_text_atomic
from bp2.release.features import read_features
from bp2.release.gate import EVIDENCE_CHECKS, decide
from bp2.release.impact import (
    LOCK_RECORD,
    RELEASE_RECORD,
    VERSIONS_RECORD,
    ChangeImpact,
    change_impact,
    current_baseline,
    previous_baseline,
)
from bp2.release.model import Decision, StepRecord, StepStatus
from bp2.release.project import (
    GitState,
    ReleaseSettings,
    git_state,
    is_ignored,
    load_settings,
    project_name,
)
from bp2.release.render import VOLATILE, BundleData, Renderer, ResourceRow
from bp2.release.soup import Inventory, inventory, sbom_json
from bp2.release.steps import expand, not_run, python, run_command, run_inline, step_env
from bp2.trace.api import CheckReport, check
from bp2.trace.findings import Severity
from bp2.trace.items import ValidationProtocol
from bp2.trace.matrix import build_matrix
from bp2.validation.record import ValidationRecord, load_records

IMPLEMENTS = ("SRS-370", "SRS-371", "SRS-381", "SRS-384")

VERSION_PATTERN = r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$"
RESULTS_REL = "records/test-results.json"
VALIDATION_REL = "records/validation"


@dataclass(frozen=True)
class ReleaseRequest:
    version: str
    outdir: Path
    project: Path
    previous: str | None = None


@dataclass(frozen=True)
class ReleaseOutcome:
    outdir: Path
    decision: Decision
    steps: list[StepRecord]
    manifest: Path


def _check_request(req: ReleaseRequest) -> tuple[Path, Path]:
    if re.match(VERSION_PATTERN, req.version) is None:
        raise UsageError(f"release version '{req.version}' is not a semantic version",
                         hint="give MAJOR.MINOR.PATCH, e.g. 1.2.0")
    root = req.project.resolve()
    if not (root / "pyproject.toml").is_file():
        raise InputError("the project has no pyproject.toml", path=root,
                         hint="give --project the root of the repository to release")
    outdir = req.outdir.resolve()
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise InputError("output directory exists and is not empty", path=outdir,
                         hint="give a new --outdir: a release bundle is never overwritten")
    if outdir.is_relative_to(root) and not is_ignored(root, outdir):
        raise UsageError(f"--outdir {outdir} is inside the project and not ignored by git",
                         hint="write the bundle outside the project or to a git-ignored folder "
                         "(e.g. out/): it would make the released tree dirty")
    return root, outdir


def make_release(req: ReleaseRequest) -> ReleaseOutcome:
    """Run the release steps, decide, render and seal the bundle."""
    root, outdir = _check_request(req)
    settings = load_settings(root)
    state = git_state(root)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.bp2tmp-", dir=outdir.parent))
    try:
        outcome = _build(req, root, settings, state, stage)
        if outdir.exists():
            outdir.rmdir()
        stage.rename(outdir)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return ReleaseOutcome(outdir, outcome[0], outcome[1], outdir / "MANIFEST.json")


def _build(req: ReleaseRequest, root: Path, settings: ReleaseSettings, state: GitState,
           out: Path) -> tuple[Decision, list[StepRecord]]:
    from bp2.evidence.manifest import write_manifest

    name = project_name(root)
    env = step_env(int(state.commit_date.timestamp()))
    values = {"python": python(), "root": str(root), "results": str(out / RESULTS_REL),
              "outdir": str(out / VALIDATION_REL)}
    tests_cmd = expand(settings.tests, values)
    validate_cmd = expand(settings.validate_, values)
    trace_cmd = ["bp2", "trace", "check", "--root", str(root), "(design history, no results)"]
    soup_cmd = ["bp2", "release", "soup-inventory", settings.soup, settings.lock]
    steps: list[StepRecord] = []
    volatile = list(VOLATILE)
    records: dict[str, ValidationRecord] | None = None
    inv: Inventory | None = None
    results_written = False
    if state.dirty:
        why = "not run: the work tree is not clean"
        steps = [not_run("trace", "Trace check", trace_cmd, why),
                 not_run("tests", "Test suite", tests_cmd, why),
                 not_run("validation", "Validation protocols", validate_cmd, why),
                 not_run("soup", "SOUP inventory", soup_cmd, why)]
    else:
        steps.append(run_inline("trace", "Trace check", trace_cmd,
                                lambda: _structural_check(root)))
        (out / "records").mkdir(parents=True, exist_ok=True)
        steps.append(run_command("tests", "Test suite", tests_cmd, root, out / "logs/tests.log",
                                 "logs/tests.log", env, _judge_tests))
        results_written = (out / RESULTS_REL).is_file()
        volatile.append("logs/tests.log")
        steps.append(run_command("validation", "Validation protocols", validate_cmd, root,
                                 out / "logs/validation.log", "logs/validation.log", env,
                                 _judge_validation))
        volatile.append("logs/validation.log")
        validation_dir = out / VALIDATION_REL
        if validation_dir.is_dir():
            try:
                records = {r.protocol_id: r for r in load_records(validation_dir)}
            except Bp2Error as exc:
                steps[-1] = steps[-1].model_copy(update={
                    "status": "failed", "summary": f"its records cannot be read: {exc}"})
                records = {}
            volatile += [p.relative_to(out).as_posix() for p in validation_dir.rglob("*.json")]
        else:
            records = {}
        holder: list[Inventory] = []

        def soup_step() -> tuple[StepStatus, str]:
            found = inventory(root, root / settings.soup, root / settings.lock)
            holder.append(found)
            if found.problems:
                return "failed", f"{len(found.problems)} difference(s) from the lock file or " \
                                 "the SOUP list"
            return "ok", f"{len(found.components)} components as installed match the lock " \
                         "file and the SOUP list"

        steps.append(run_inline("soup", "SOUP inventory", soup_cmd, soup_step))
        inv = holder[0] if holder else None
    # the final trace check joins this run's results (none when the suite did not write them)
    report = check(root, [out / RESULTS_REL] if results_written else [])
    current = current_baseline(root, settings.stage_lock, settings.pipeline)
    impact: ChangeImpact | None = None
    if req.previous is not None:
        impact = change_impact(current, previous_baseline(root, req.previous, settings.stage_lock,
                                                          settings.pipeline), report.graph)
    decision = decide(dirty_files=state.dirty_files, steps=steps, report=report,
                      results_written=results_written, records=records, inventory=inv,
                      impact=impact)
    # records
    write_text_atomic(out / "records/steps.json", json.dumps(
        [s.model_dump(mode="json") for s in steps], indent=2, sort_keys=True) + "\n")
    _write_json(out / RELEASE_RECORD, {
        "format": "bp2-release/1", "project": name, "version": req.version,
        "commit": state.commit, "date": state.date_text, "previous": req.previous,
        "decision": decision.word, "bp2": __version__,
        "reasons": [{"kind": r.kind.value, "message": r.message, "item": r.item}
                    for r in decision.reasons],
        "notes": [n.message for n in decision.notes], "volatile": sorted(volatile)})
    _write_json(out / LOCK_RECORD, {"stages": current.lock})
    _write_json(out / VERSIONS_RECORD, current.versions)
    soup_files: list[str] = []
    if inv is not None:
        write_text_atomic(out / "sbom.cdx.json", sbom_json(
            inv, product=name, version=req.version, commit=state.commit,
            when=state.commit_date))
        _write_json(out / "soup.json", [
            {"name": c.name, "kind": c.kind, "installed": c.installed, "locked": c.locked,
             "soup": None if c.soup is None else c.soup.model_dump(mode="json")}
            for c in inv.components])
        soup_files = ["sbom.cdx.json", "soup.json"]
    resources = _resources(root, settings.resources, report, records)
    _write_json(out / "resources.lock.json", [r.__dict__ for r in resources])
    matrix = build_matrix(report.graph, report.findings)
    matrix.results = [f"{RESULTS_REL} ({s.format}, {s.count} results)"
                      for s in report.graph.sources]  # not the temporary build folder
    from bp2.trace.export import write_exports

    write_exports(matrix, out, state.commit_date)
    data = BundleData(
        version=req.version, project=name, commit=state.commit, date=state.date_text,
        previous=req.previous, decision=decision, steps=steps,
        dirty_files=list(state.dirty_files), report=report, matrix=matrix, records=records,
        validation_dir=VALIDATION_REL, inventory=inv, soup_files=soup_files, impact=impact,
        resources=resources, features=read_features(root, report.graph.model.features))
    Renderer(data, out).render_all()
    write_manifest(out, volatile=sorted(v for v in set(volatile) if (out / v).is_file()))
    return decision, steps


def _structural_check(root: Path) -> tuple[StepStatus, str]:
    """The trace check before any test has run: every check but those judging test evidence."""
    report = check(root, [])
    errors = [f for f in report.findings
              if f.severity is Severity.ERROR and f.check_id not in EVIDENCE_CHECKS]
    if errors:
        shown = "; ".join(f"{f.check_id} {f.item_id or ''}".strip() for f in errors[:5])
        return "failed", f"{len(errors)} error(s) in the design history: {shown}"
    return "ok", f"design history consistent ({len(report.graph.items)} items; test evidence " \
                 "is judged after the suite has run)"


def _judge_tests(status: int) -> tuple[StepStatus, str]:
    if status == 0:
        return "ok", "every test passed"
    if status == 1:
        return "ok", "the suite ran; some tests failed (see the verification report)"
    return "failed", f"pytest exited with status {status} (interrupted, internal or usage " \
                     "error, or no tests collected)"


def _judge_validation(status: int) -> tuple[StepStatus, str]:
    if status == 0:
        return "ok", "every protocol executed by software met its acceptance criteria"
    if status == 1:
        return "ok", "the protocols ran; some did not meet their criteria"
    return "failed", f"validation exited with status {status}"


def _write_json(path: Path, value: object) -> None:
    write_text_atomic(path, json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _resources(root: Path, rel: str, report: CheckReport,
               records: dict[str, ValidationRecord] | None) -> list[ResourceRow]:
    rows: list[ResourceRow] = []
    path = root / rel
    if path.is_file():
        from bp2.resources import load_resources

        res = load_resources(path)
        for name, resource in res.items():
            for ref in resource.files():
                ok = ref.path.is_file() and sha256_file(ref.path) == ref.sha256
                rows.append(ResourceRow(rel, name, name.replace("_", " "), resource.build,
                                        resource.version, _shown(ref.path, root), ref.sha256,
                                        "sha256 verified" if ok else "MISMATCH or missing"))
    history = report.graph.history
    for val_id in history.of_kind("VAL"):
        protocol = history.items[val_id]
        assert isinstance(protocol, ValidationProtocol)
        for ds in protocol.datasets:
            rows.append(ResourceRow(f"{val_id} dataset", ds.name, "validation dataset", "—",
                                    "—", ds.path or ds.uri or "", ds.sha256, "declared"))
        record = (records or {}).get(str(val_id))
        for item in record.inputs if record is not None else []:
            rows.append(ResourceRow(f"{val_id} input", item.name, "validation input", "—", "—",
                                    item.path, item.sha256, "recorded by the validation run"))
    return rows


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)

