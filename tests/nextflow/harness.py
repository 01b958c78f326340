"""A stand-in for Nextflow that executes the rendered workflow's ``script:`` blocks.

It reads main.nf and nextflow.config as text, as Nextflow would: each process's input
declarations, output, publishDir and script; the workflow's channel wiring (``planTasks``,
``sameUnit`` joins, ``allUnits`` combines); ``params.seed`` and the CPU label values.  Each task
runs in its own directory holding *copies* of exactly its declared inputs, staged the way
Nextflow documents (``_in??/*`` → ``_in01/<name>``, …), while the case directory and every other
task's directory are renamed away, so a task that read an undeclared file would fail.
Only the Groovy expressions the renderer emits are understood; anything else fails loudly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROCESS = re.compile(r"^process (\w+) \{\n(.*?)\n\}\n", re.MULTILINE | re.DOTALL)
TASKS = re.compile(r"^    (\w+)_tasks = planTasks\(plan, '(\w+)'\)\n((?:        \..*\n)*)"
                   r"    (\w+)\(\1_tasks, definition, case_json\)$", re.MULTILINE)
NEED = re.compile(r"^        \.(join|combine)\((sameUnit|allUnits)\((\w+)\.out\.unit, '(\w+)'\)")
EXPR = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Process:
    name: str
    publish_dir: str
    inputs: list[str]
    output: str
    script: str


@dataclass
class Wiring:
    stage: str
    process: str
    needs: list[tuple[str, str, str]] = field(default_factory=list)  # (mode, process, stage)


def parse_processes(main_nf: str) -> dict[str, Process]:
    found = {}
    for match in PROCESS.finditer(main_nf):
        name, body = match.groups()
        publish = re.search(r'publishDir "([^"]+)", mode: params\.publish_mode', body)
        inputs = re.search(r"\n    input:\n(.*?)\n\n", body, re.DOTALL)
        output = re.search(r'\n    output:\n    tuple val\(unit\), path\("([^"]+)"\), emit: unit',
                           body)
        script = re.search(r'\n    script:\n    """\n(.*?)\n    """', body, re.DOTALL)
        assert publish and inputs and output and script, f"process {name} not understood"
        found[name] = Process(name, publish.group(1),
                              [line.strip() for line in inputs.group(1).splitlines()],
                              output.group(1), script.group(1))
    return found


def parse_workflow(main_nf: str) -> list[Wiring]:
    wirings = []
    for match in TASKS.finditer(main_nf):
        stage, _, chain, process = match.group(1), match.group(2), match.group(3), match.group(4)
        wiring = Wiring(stage, process)
        for line in chain.splitlines():
            need = NEED.match(line)
            if need:
                op, helper, upstream_process, upstream_stage = need.groups()
                assert (op, helper) in (("join", "sameUnit"), ("combine", "allUnits")), line
                wiring.needs.append((helper, upstream_process, upstream_stage))
            else:
                assert line.strip() == ".map { item -> merged(item) }", line
        wirings.append(wiring)
    return wirings


def parse_config(config: str) -> tuple[int, dict[str, int]]:
    seed = re.search(r"^    seed = (\d+)$", config, re.MULTILINE)
    assert seed is not None
    cpus = {label: int(n) for label, n in
            re.findall(r"withLabel: '(\w+)' \{ cpus = (\d+) \}", config)}
    return int(seed.group(1)), cpus


def interpolate(text: str, values: dict[str, Any]) -> str:
    """Groovy GString interpolation for the forms the renderer emits."""

    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        join = re.fullmatch(r'(\w+)\.join\("([^"]*)"\)', expr)
        if join:
            return join.group(2).join(str(v) for v in values[join.group(1)])
        assert re.fullmatch(r"[\w.]+", expr), f"unsupported expression ${{{expr}}}"
        value = values[expr]
        return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)

    return EXPR.sub(one, text)


def stage_name(pattern: str, index: int, source: Path) -> str:
    """Nextflow's staged name for file ``index`` (1-based) of a collection under ``pattern``."""
    if pattern.endswith("/*"):
        directory = pattern[:-2]
        width = directory.count("?")
        if width:
            directory = directory.replace("?" * width, f"{index:0{width}d}")
        return f"{directory}/{source.name}"
    assert "?" not in pattern and "*" not in pattern, pattern
    return pattern


@contextmanager
def hidden(*paths: Path) -> Iterator[None]:
    """Rename ``paths`` away while a task runs, so undeclared reads of them fail."""
    moved = []
    try:
        for path in paths:
            if path.exists():
                target = path.with_name(path.name + ".hidden")
                path.rename(target)
                moved.append((target, path))
        yield
    finally:
        for target, path in moved:
            target.rename(path)


@dataclass
class Harness:
    main_nf: str
    config: str
    plan: dict[str, Any]
    definition: Path
    case_json: Path
    case_dir: Path  # hidden while tasks run
    root: Path
    outdir: Path
    executed: list[tuple[str, str]] = field(default_factory=list)

    def run(self) -> None:
        processes = parse_processes(self.main_nf)
        wirings = parse_workflow(self.main_nf)
        assert [w.process for w in wirings] == list(processes), "every process is invoked"
        seed, cpus = parse_config(self.config)
        done = self.root / "done"
        done.mkdir(parents=True)
        outputs: dict[str, dict[str, Path]] = {}  # process -> unit -> output directory
        for wiring in wirings:
            process = processes[wiring.process]
            label = re.search(r"label '(bp2_cpu_\w+)'", self.main_nf.split(
                f"process {wiring.process} {{", 1)[1])
            assert label is not None
            outputs[wiring.process] = {}
            for task in self.plan["tasks"][wiring.stage]:
                unit = task["unit"]
                keys = list(task["keys"])
                files = [Path(f) for f in task["files"]]
                for helper, upstream, upstream_stage in wiring.needs:
                    produced = outputs[upstream]
                    chosen = [unit] if helper == "sameUnit" else sorted(produced)
                    for upstream_unit in chosen:
                        keys.append(f"{upstream_stage}/{upstream_unit}")
                        files.append(produced[upstream_unit])
                workdir = self.root / "work" / f"{wiring.stage}--{unit}"
                workdir.mkdir(parents=True)
                values = self._stage(process, workdir, unit, keys, files)
                values.update({"params.seed": seed, "task.cpus": cpus[label.group(1)],
                               "params.outdir": str(self.outdir)})
                script = interpolate(process.script, values)
                with hidden(self.case_dir, done):
                    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script],
                                          cwd=workdir, env=self._env(), capture_output=True,
                                          text=True, check=False)
                assert proc.returncode == 0, (wiring.stage, unit, script, proc.stdout,
                                              proc.stderr)
                produced_dir = workdir / interpolate(process.output, values)
                assert produced_dir.is_dir(), f"{wiring.stage} [{unit}] declared output missing"
                publish = Path(interpolate(process.publish_dir, values))
                publish.mkdir(parents=True, exist_ok=True)
                shutil.copytree(produced_dir, publish / produced_dir.name)
                final = done / f"{wiring.stage}--{unit}"
                workdir.rename(final)
                outputs[wiring.process][unit] = final / produced_dir.name
                self.executed.append((wiring.stage, unit))

    def _stage(self, process: Process, workdir: Path, unit: str, keys: list[str],
               files: list[Path]) -> dict[str, Any]:
        """Copy the declared inputs into the task directory; return the script's variables."""
        values: dict[str, Any] = {"unit": unit, "keys": keys}
        for line in process.inputs:
            tuple_match = re.fullmatch(
                r"tuple val\(unit\), val\(keys\), path\((\w+), stageAs: '([^']+)'\)", line)
            single = re.fullmatch(r"path (\w+), stageAs: '([^']+)'", line)
            if tuple_match:
                name, pattern = tuple_match.groups()
                staged = []
                for index, source in enumerate(files, start=1):
                    target = workdir / stage_name(pattern, index, source)
                    _copy(source, target)
                    staged.append(str(target.relative_to(workdir)))
                values[name] = staged
            elif single:
                name, pattern = single.groups()
                source = {"definition": self.definition, "case_json": self.case_json}[name]
                target = workdir / stage_name(pattern, 1, source)
                _copy(source, target)
                values[name] = str(target.relative_to(workdir))
            else:
                raise AssertionError(f"unsupported input declaration: {line}")
        return values

    @staticmethod
    def _env() -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        return env


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
