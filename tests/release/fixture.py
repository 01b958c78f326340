"""A small project to release, made in a temporary directory: one user need, three SRS, one
hazard, one validation protocol, one stage in a stage lock, two trivial real pytest tests, and a
validation runner (``tools/validate.py``) that really executes the protocol — it counts the lines
of ``data/sample.txt`` with the project's code and compares the count with ``data/truth.txt``.

:func:`make_fixture` builds and commits the baseline (a release of it passes); the injectors
change one thing each, so a test can show the gate failing for exactly that reason.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bp2.tools import tool_version
from bp2.trace.review import review

REPO = Path(__file__).resolve().parents[2]
COMMIT_DATE = "2025-03-04T05:06:07+00:00"
CODE_DIGEST = "c" * 64
ANSWER_DIGEST = "a" * 64

PYPROJECT = """\
[project]
name = "relfix"
version = "0"
dependencies = ["pyyaml"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]

[tool.bp2.release]
validate = ["{python}", "tools/validate.py", "{outdir}"]
"""

CODE = '''"""Counting lines."""

IMPLEMENTS = ("SRS-001", "SRS-002")


def count_lines(text: str) -> int:
    return len(text.splitlines())
'''

STAGE = '''"""The count stage."""

IMPLEMENTS = ("SRS-003",)

VERSION = "1.0.0"
'''

TESTS = '''import pytest

from relfix.count import count_lines


@pytest.mark.verifies("SRS-001", "SRS-003")
def test_counts_lines() -> None:
    """It counts two lines."""
    assert count_lines("a\\nb") == 2


@pytest.mark.verifies("SRS-002")
def test_counts_empty_text() -> None:
    """It counts no line in empty text."""
    assert count_lines("") == {empty}
'''

VALIDATE = '''"""Execute VAL-001: count data/sample.txt's lines; compare with data/truth.txt."""

import hashlib
import struct
import sys
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, "src")
from relfix.count import count_lines  # noqa: E402

from bp2.validation.record import (  # noqa: E402
    CriterionResult, InputRecord, ValidationRecord, write_index, write_record)

SKIP = {skip}


def png(path: Path, value: int) -> None:
    """A small bar plot of the count as a PNG (grey background, one dark bar per line)."""
    width, height = 40, 20
    rows = b"".join(b"\\x00" + bytes(0 if (x // 8 < value and y > 4) else 220
                                      for x in range(width)) for y in range(height))
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    path.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


outdir = Path(sys.argv[1])
outdir.mkdir(parents=True, exist_ok=True)
started, t0 = datetime.now(UTC).isoformat(), time.monotonic()
sample, truth = Path("data/sample.txt"), Path("data/truth.txt")
value = count_lines(sample.read_text())
expected = int(truth.read_text())
ok = value == expected
records = []
if not SKIP:
    record = ValidationRecord(
        protocol_id="VAL-001", title="Line counts on the sample", validates=["UN-001"],
        status="passed" if ok else "failed", reason=None if ok else "count differs from truth",
        criteria=[CriterionResult(metric="lines counted", comparator="==", threshold=expected,
                                  value=value, n=1, passed=ok)],
        pipeline_version="0", stage_versions={{"count": "1.0.0"}},
        inputs=[InputRecord(name=p.name, path=p.as_posix(),
                            sha256=hashlib.sha256(p.read_bytes()).hexdigest())
                for p in (sample, truth)],
        started=started, finished=datetime.now(UTC).isoformat(),
        duration_s=round(time.monotonic() - t0, 3), figures={{"lines": value}},
        plots=["counts.png"])
    (outdir / "VAL-001").mkdir(parents=True, exist_ok=True)
    png(outdir / "VAL-001" / "counts.png", value)
    write_record(outdir, record)
    records.append(record)
write_index(outdir, records)
sys.exit(0 if ok else 1)
'''


def _item(root: Path, folder: str, data: dict[str, Any]) -> None:
    path = root / folder / f"{data['id']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _srs(item_id: str, title: str) -> dict[str, Any]:
    return {"id": item_id, "title": title,
            "statement": f"When text is given, relfix shall {title.lower()}.",
            "rationale": "The count is the product.", "type": "functional",
            "safety_class": "B", "parents": ["UN-001"]}


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE,
           "GIT_AUTHOR_NAME": "Fixture", "GIT_AUTHOR_EMAIL": "fixture@example.org",
           "GIT_COMMITTER_NAME": "Fixture", "GIT_COMMITTER_EMAIL": "fixture@example.org"}
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout


@dataclass
class Fixture:
    root: Path

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str = "change") -> None:
        _git(self.root, "add", "-A")
        _git(self.root, "commit", "-q", "-m", message)

    def edit_item(self, rel: str, **changes: Any) -> None:
        path = self.root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(changes)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def previous_bundle(self, dest: Path, code_digest: str = CODE_DIGEST,
                        version: str = "1.0.0") -> Path:
        """A minimal earlier bundle: its stage lock and stage versions."""
        (dest / "records").mkdir(parents=True)
        lock = {"stages": {"count": {version: {
            "code": code_digest, "answer_key": ANSWER_DIGEST,
            "modules": ["relfix.stages.count"]}}}}
        (dest / "records/stage-lock.json").write_text(json.dumps(lock), encoding="utf-8")
        (dest / "records/stage-versions.json").write_text(json.dumps({"count": version}),
                                                          encoding="utf-8")
        return dest


def make_fixture(root: Path) -> Fixture:
    """Build and commit the baseline project under ``root``."""
    fx = Fixture(root)
    root.mkdir(parents=True)
    fx.write("pyproject.toml", PYPROJECT)
    fx.write(".gitignore", ".bp2-results/\n__pycache__/\nout/\n")
    for rel in ("traceability/model.yaml", "risk/policy.yaml", "requirements/intended-use.yaml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, root / rel)
    _item(root, "requirements", {"id": "UN-001", "title": "Count lines",
                                 "statement": "A user needs the lines of a text counted."})
    _item(root, "requirements", _srs("SRS-001", "Count every line"))
    _item(root, "requirements", _srs("SRS-002", "Count no line in empty text"))
    _item(root, "requirements", _srs("SRS-003", "Run the count stage"))
    _item(root, "risk", {
        "id": "HAZ-001", "title": "Wrong count", "hazard": "A count that is wrong.",
        "sequence_of_events": ["The counter miscounts.", "Nobody notices."],
        "hazardous_situation": "A wrong count is used.", "harm": "Wrong decision.",
        "severity": "serious", "probability": "probable",
        "controls": [{"measure": "Count empty text as zero lines.", "srs": "SRS-002",
                      "new_risks": "None identified."}],
        "residual": {"severity": "serious", "probability": "remote"}})
    fx.write("data/sample.txt", "one\ntwo\nthree\n")
    fx.write("data/truth.txt", "3\n")
    sha = hashlib.sha256((root / "data/sample.txt").read_bytes()).hexdigest()
    _item(root, "validation", {
        "id": "VAL-001", "title": "Line counts on the sample", "validates": ["UN-001"],
        "datasets": [{"name": "sample", "path": "data/sample.txt", "sha256": sha}],
        "method": "Count the sample's lines and compare with the truth count.",
        "acceptance_criteria": [{"metric": "lines counted", "comparator": "==",
                                 "threshold": 3}]})
    fx.write("src/relfix/__init__.py", '"""relfix."""\n')
    fx.write("src/relfix/count.py", CODE)
    fx.write("src/relfix/stages/__init__.py", '"""Stages."""\n')
    fx.write("src/relfix/stages/count/__init__.py", STAGE)
    fx.write("tests/test_count.py", TESTS.format(empty=0))
    fx.write("tools/validate.py", VALIDATE.format(skip=False))
    fx.write("pipeline/bp2.yaml", "stages:\n  - id: count\n    version: 1.0.0\n")
    fx.write("pipeline/stage-lock.json", json.dumps({"stages": {"count": {"1.0.0": {
        "code": CODE_DIGEST, "answer_key": ANSWER_DIGEST,
        "modules": ["relfix.stages.count"]}}}}, indent=2) + "\n")
    pyyaml = md.version("pyyaml")
    fx.write("requirements.lock", f"pyyaml=={pyyaml}\n    # via relfix\n")
    soup = {"items": [
        {"name": "pyyaml", "kind": "python", "version": pyyaml, "supplier": "PyYAML",
         "purpose": "reads YAML", "relied_on_for": "safe parsing",
         "known_anomalies": {"source": "https://github.com/yaml/pyyaml/issues",
                             "reviewed_on": "2025-03-01", "reviewed_by": "Q. Manager",
                             "conclusion": "no open issue affects safe_load"}},
        {"name": "samtools", "kind": "native", "version": tool_version("samtools"),
         "supplier": "Genome Research Ltd", "purpose": "alignment processing",
         "relied_on_for": "sorting", "probe": "samtools",
         "known_anomalies": {"source": "https://github.com/samtools/samtools/issues",
                             "conclusion": "not yet reviewed for this version"}}]}
    fx.write("quality/soup.yaml", yaml.safe_dump(soup, sort_keys=False))
    review(root, ["SRS-001", "SRS-002", "SRS-003", "HAZ-001", "VAL-001"], "Fixture Reviewer",
           now=datetime(2025, 3, 1, tzinfo=UTC))
    _git(root, "init", "-q", "-b", "main")
    fx.commit("baseline")
    return fx


# --- injected failures (each committed, except the dirty tree) ----------------------------------


def inject_error_finding(fx: Fixture) -> None:
    _item(fx.root, "requirements", {**_srs("SRS-004", "Report orphans"), "parents": []})
    fx.commit("orphan requirement")


def inject_failed_test(fx: Fixture) -> None:
    fx.write("tests/test_count.py", TESTS.format(empty=1))
    fx.commit("break a test")


def inject_missing_result(fx: Fixture) -> None:
    fx.write("tools/validate.py", VALIDATE.format(skip=True))
    fx.commit("validation writes no record")


def inject_failed_criterion(fx: Fixture) -> None:
    fx.write("data/truth.txt", "4\n")
    fx.commit("truth disagrees")


def inject_unacceptable_residual(fx: Fixture) -> None:
    fx.edit_item("risk/HAZ-001.yaml", residual={"severity": "critical",
                                                "probability": "probable"})
    fx.commit("residual risk high")


def inject_soup_mismatch(fx: Fixture) -> None:
    fx.write("requirements.lock", "pyyaml==0.0.1\n")
    fx.commit("lock disagrees with the environment")


def inject_dirty_tree(fx: Fixture) -> None:
    fx.write("notes.txt", "uncommitted\n")
