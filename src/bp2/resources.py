"""Reference resources: every file a run uses besides the case's own inputs.

``resources.yaml`` names each resource (reference FASTA and index, gene model, population allele
frequencies, ClinVar, common-SNP sites, ploidy) with its path, genome build, version and sha256;
companion files (``.fai``, ``.gzi``, ``.tbi``) are listed explicitly with their own sha256.
Everything is checked before any work starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pysam
import pysam.utils
from pydantic import BaseModel, ConfigDict, Field

from bp2.errors import InputError
from bp2.fileio import atomic_path, sha256_file
from bp2.yamlio import load_yaml, parse_model

IMPLEMENTS = ("SRS-012", "SRS-013")

SHA256 = r"^[0-9a-f]{64}$"


class FileRef(BaseModel):
    """A file with its expected sha256."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    sha256: str = Field(pattern=SHA256)


class Resource(FileRef):
    """A reference resource: the main file, its companions, build and version."""

    build: str
    version: str
    index: FileRef | None = None
    gzi: FileRef | None = None

    def files(self) -> list[FileRef]:
        return [ref for ref in (self, self.index, self.gzi) if ref is not None]


class Resources(BaseModel):
    """All resources of a run (resources.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: Resource
    gene_model: Resource | None = None
    population_af: Resource | None = None
    clinvar: Resource | None = None
    common_snps: Resource | None = None
    ploidy: Resource | None = None

    def items(self) -> list[tuple[str, Resource]]:
        return [
            (name, getattr(self, name))
            for name in type(self).model_fields
            if getattr(self, name) is not None
        ]

    def lock(self) -> dict[str, Any]:
        """What provenance records: name → path, build, version, sha256 of each file."""
        return {
            name: {
                "build": res.build,
                "version": res.version,
                "files": {str(ref.path): ref.sha256 for ref in res.files()},
            }
            for name, res in self.items()
        }


def _resolve(data: Any, base: Path) -> Any:
    if isinstance(data, dict):
        return {
            k: (str(base / v) if k == "path" and isinstance(v, str) else _resolve(v, base))
            for k, v in data.items()
        }
    return data


def load_resources(path: Path) -> Resources:
    """Load resources.yaml, resolving relative paths against its directory."""
    data = load_yaml(path, "resources file")
    if not isinstance(data, dict):
        raise InputError(
            "resources file must be a mapping of resource name to entry",
            path=path,
            hint="see README 'Resources'",
        )
    return parse_model(Resources, _resolve(data, path.parent.resolve()), path, "resources file")


def verify_resources(resources: Resources, source: Path | None = None) -> None:
    """Check that every resource file exists and has its recorded sha256."""
    for name, res in resources.items():
        for ref in res.files():
            if not ref.path.is_file():
                raise InputError(
                    f"resource '{name}' file not found",
                    path=ref.path,
                    item_id=name,
                    hint=f"fix its path in {source or 'the resources file'}",
                )
            actual = sha256_file(ref.path)
            if actual != ref.sha256:
                raise InputError.checksum_mismatch(ref.path, ref.sha256, actual, item_id=name)


def reference_only(reference: Path, workdir: Path) -> Resources:
    """Resources holding only a reference FASTA; its index is found beside it or made in workdir.

    A FASTA index found beside the reference is used and recorded; otherwise ``samtools faidx``
    (through pysam) writes one under ``workdir``.  Either way the index is an explicit entry.
    """
    if not reference.is_file():
        raise InputError.missing_file(reference, "reference FASTA")
    compressed = reference.name.endswith(".gz")
    fai = reference.with_name(reference.name + ".fai")
    gzi = reference.with_name(reference.name + ".gzi") if compressed else None
    if not fai.is_file() or (gzi is not None and not gzi.is_file()):
        workdir.mkdir(parents=True, exist_ok=True)
        fai = workdir / (reference.name + ".fai")
        gzi = workdir / (reference.name + ".gzi") if compressed else None
        with atomic_path(fai) as tmp_fai:
            args = [str(reference), "--fai-idx", str(tmp_fai)]
            if gzi is not None:
                args += ["--gzi-idx", str(gzi)]
            try:
                pysam.faidx(*args)
            except pysam.utils.SamtoolsError as exc:
                raise InputError(
                    f"cannot index the reference: {str(exc).strip()[-200:]}",
                    path=reference,
                    hint="a compressed reference must be bgzip-compressed (bgzip, not gzip)",
                ) from None
    return Resources(
        reference=Resource(
            path=reference.resolve(),
            sha256=sha256_file(reference),
            build="unrecorded",
            version="unrecorded",
            index=FileRef(path=fai.resolve(), sha256=sha256_file(fai)),
            gzi=None if gzi is None else FileRef(path=gzi.resolve(), sha256=sha256_file(gzi)),
        )
    )
