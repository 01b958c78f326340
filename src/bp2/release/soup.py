"""SOUP (IEC 62304 §8.1.2): the controlled SOUP list, the software as installed, and the SBOM.

The SOUP list (``quality/soup.yaml``) names every runtime Python package and every native tool
with its version, supplier, purpose, what bp2 relies on it for, and the review of its known
anomalies.  At release the environment is inventoried *as installed* — the runtime packages
(the transitive closure of the project's ``[project.dependencies]``) with their installed
versions, the native tools with the versions their probes report — and compared with the lock
file (``requirements.lock``) and with the SOUP list.  Every difference is a problem that fails
the release: the evidence would otherwise describe software other than what ran.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from pydantic import BaseModel, ConfigDict, Field

from bp2.errors import Bp2Error, InputError
from bp2.yamlio import load_yaml, parse_model

IMPLEMENTS = ("SRS-377",)


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AnomalyReview(_Strict):
    """Where the supplier publishes known anomalies, and who reviewed them when."""

    source: str = Field(min_length=1)
    reviewed_on: date | None = None
    reviewed_by: str | None = None
    conclusion: str = Field(min_length=1)


class SoupItem(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["python", "native"]
    version: str = Field(min_length=1)
    supplier: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    relied_on_for: str = Field(min_length=1, description="functional/performance requirements "
                               "bp2 places on it (IEC 62304 5.3.3)")
    probe: str | None = Field(default=None, description="native: the bp2.tools probe name")
    known_anomalies: AnomalyReview


class SoupList(_Strict):
    items: list[SoupItem]


def load_soup(path: Path) -> SoupList:
    data = load_yaml(path, "SOUP list")
    return parse_model(SoupList, data, path, "SOUP list")


def read_lock(path: Path) -> dict[str, str]:
    """``name==version`` pins of a requirements lock file (comments and hashes ignored)."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().rstrip("\\").strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)(\s*;.*)?",
                             line)
        if match is None:
            raise InputError(f"lock file line is not 'name==version': {line}", path=path,
                             line=number, hint="regenerate the lock file (uv pip compile)")
        pins[normalise(match.group(1))] = match.group(3)
    return pins


def runtime_closure(pyproject: Path) -> dict[str, str | None]:
    """Installed version (None: not installed) of every runtime dependency, transitively."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    found: dict[str, str | None] = {}
    try:
        stack = [Requirement(r) for r in data.get("project", {}).get("dependencies", [])]
    except InvalidRequirement as exc:
        raise InputError(f"invalid dependency: {exc}", path=pyproject,
                         field="project.dependencies", hint="fix the requirement") from None
    while stack:
        req = stack.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = normalise(req.name)
        if name in found:
            continue
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            found[name] = None
            continue
        found[name] = dist.version
        for text in dist.requires or []:
            stack.append(Requirement(text))
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Component:
    """A piece of SOUP as installed, with what the lock and the SOUP list say about it."""

    name: str
    kind: str
    installed: str | None
    locked: str | None
    soup: SoupItem | None


@dataclass
class Inventory:
    components: list[Component] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unreviewed: list[str] = field(default_factory=list)


def _probe(name: str) -> str:
    from bp2.tools import tool_version

    return tool_version(name)


def inventory(root: Path, soup_path: Path, lock_path: Path) -> Inventory:
    """Inventory the environment and compare it with the lock file and the SOUP list."""
    out = Inventory()
    if not soup_path.is_file():
        raise InputError.missing_file(soup_path, "SOUP list")
    if not lock_path.is_file():
        raise InputError.missing_file(lock_path, "lock file")
    soup = load_soup(soup_path)
    pins = read_lock(lock_path)
    listed = {(s.kind, normalise(s.name)): s for s in soup.items}
    runtime = runtime_closure(root / "pyproject.toml")
    for name, installed in runtime.items():
        entry = listed.get(("python", name))
        out.components.append(Component(name, "python", installed, pins.get(name), entry))
        if installed is None:
            out.problems.append(f"runtime package {name} is not installed")
        if name not in pins:
            out.problems.append(f"runtime package {name} is not pinned in {lock_path.name}")
        if entry is None:
            out.problems.append(f"runtime package {name} has no entry in the SOUP list")
        elif installed is not None and entry.version != installed:
            out.problems.append(f"{name}: SOUP list says {entry.version}, installed is "
                                f"{installed}")
    for name, pinned in sorted(pins.items()):
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            out.problems.append(f"{name}=={pinned} is locked but not installed")
            continue
        if installed != pinned:
            out.problems.append(f"{name}: {lock_path.name} pins {pinned}, installed is "
                                f"{installed}")
    for (kind, name), entry in sorted(listed.items()):
        if kind == "python" and name not in runtime:
            out.problems.append(f"SOUP list names {name}, which is not a runtime dependency")
        if kind != "native":
            continue
        if entry.probe is None:
            out.problems.append(f"native SOUP {entry.name} has no 'probe' to read its version")
            installed_native: str | None = None
        else:
            try:
                installed_native = _probe(entry.probe)
            except Bp2Error as exc:
                installed_native = None
                out.problems.append(f"native SOUP {entry.name}: {exc.title}")
        out.components.append(Component(entry.name, "native", installed_native, None, entry))
        if installed_native is not None and installed_native != entry.version:
            out.problems.append(f"{entry.name}: SOUP list says {entry.version}, installed is "
                                f"{installed_native}")
    out.unreviewed = sorted(s.name for s in soup.items if s.known_anomalies.reviewed_on is None)
    out.components.sort(key=lambda c: (c.kind != "python", c.name))
    return out


def sbom_json(inv: Inventory, *, product: str, version: str, commit: str,
              when: datetime) -> str:
    """A CycloneDX 1.6 JSON SBOM of the components as installed (deterministic: the serial
    number derives from the version and commit, the timestamp is the commit date)."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.model.contact import OrganizationalEntity
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    main = CdxComponent(name=product, version=version, type=ComponentType.APPLICATION,
                        bom_ref=f"{product}@{version}")
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"bp2-release:{version}:{commit}"),
              metadata=BomMetaData(timestamp=when, component=main))
    for comp in inv.components:
        shown = comp.installed or "not-installed"
        purl = (PackageURL("pypi", name=comp.name, version=shown) if comp.kind == "python"
                else PackageURL("generic", name=comp.name, version=shown))
        refs = []
        if comp.soup is not None and comp.soup.known_anomalies.source.startswith("http"):
            refs.append(ExternalReference(type=ExternalReferenceType.ISSUE_TRACKER,
                                          url=XsUri(comp.soup.known_anomalies.source)))
        bom.components.add(CdxComponent(
            name=comp.name, version=shown, purl=purl, bom_ref=purl.to_string(),
            type=ComponentType.LIBRARY if comp.kind == "python" else ComponentType.APPLICATION,
            supplier=(OrganizationalEntity(name=comp.soup.supplier) if comp.soup else None),
            description=comp.soup.purpose if comp.soup else None,
            external_references=refs))
        bom.register_dependency(main, [c for c in bom.components if c.bom_ref.value ==
                                       purl.to_string()])
    return str(JsonV1Dot6(bom).output_as_string(indent=2)) + "\n"
