"""Load a design history from disk: the trace model, the item files and the two documents
(intended use, risk policy).

The root is the nearest folder, from the current directory upwards, that holds a
``pyproject.toml`` (or the folder given with ``--root``).  Every item file in the folders the
trace model names is read; a file whose *content* is invalid stops the command with one
:class:`~bp2.errors.InputError` that lists every bad file and field, while a file whose *name or
place* is wrong (not an ID, wrong folder, ``id`` field disagreeing with the file name, two files
for one ID) is loaded as far as possible and reported by the ``malformed-id`` and
``duplicate-id`` checks, so one run shows all such problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from bp2.errors import InputError
from bp2.trace.cache import ContentCache
from bp2.trace.harvest import iter_relative
from bp2.trace.ids import ID_PATTERN, ItemId
from bp2.trace.items import (
    MODELS,
    Anomaly,
    Hazard,
    IntendedUse,
    Item,
)
from bp2.trace.model import TraceModel, load_model
from bp2.trace.policy import RiskPolicy
from bp2.trace.yamlload import (
    FileProblem,
    raise_problems,
    read_yaml,
    validation_problems,
)

IMPLEMENTS = ("SRS-030", "SRS-031", "SRS-054")

ROLE = "design-history"
_SUFFIXES = (".yaml", ".yml")


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the current one) with pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    raise InputError(
        "no design history found: no pyproject.toml in this folder or any folder above it",
        path=here,
        hint="run the command inside the repository, or give --root",
    )


@dataclass(frozen=True)
class Misfiled:
    """An item file whose name or place is wrong (reported by the malformed-id check)."""

    path: str
    message: str
    item_id: str | None = None


@dataclass
class DesignHistory:
    """Everything read from the item folders, keyed by item ID."""

    root: Path
    model: TraceModel
    items: dict[ItemId, Item] = field(default_factory=dict)
    paths: dict[ItemId, str] = field(default_factory=dict)
    definitions: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)
    misfiled: list[Misfiled] = field(default_factory=list)
    intended_use: IntendedUse | None = None
    policy: RiskPolicy | None = None

    def of_kind(self, kind: str) -> list[ItemId]:
        """IDs of one kind, in ID order."""
        return sorted((i for i in self.items if i.kind == kind), key=lambda i: i.sort_key)


def _owning_folder(rel: str, folders: tuple[str, ...]) -> str | None:
    best: str | None = None
    for folder in folders:
        if (rel.startswith(folder + "/")) and (best is None or len(folder) > len(best)):
            best = folder
    return best


def _validate(model: type[BaseModel], data: object, shown: str) -> tuple[BaseModel | None,
                                                                          list[FileProblem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, validation_problems(shown, exc, model)


def _load_document(
    root: Path, rel: str, model: type[BaseModel], problems: list[FileProblem], cache: ContentCache
) -> BaseModel | None:
    path = root / rel
    if not path.is_file():
        return None
    data, problem = read_yaml(path, rel, cache)
    if problem is not None:
        problems.append(problem)
        return None
    if not isinstance(data, dict):
        problems.append(FileProblem(rel, None, "must be a YAML mapping of field: value"))
        return None
    parsed, found = _validate(model, data, rel)
    problems.extend(found)
    return parsed


def _check_policy_names(history: DesignHistory, problems: list[FileProblem]) -> None:
    policy = history.policy
    if policy is None:
        return
    sev, prob = policy.severity_names, policy.probability_names

    def need(value: str, allowed: tuple[str, ...], path: str, fieldname: str, what: str) -> None:
        if value not in allowed:
            problems.append(FileProblem(
                path, fieldname,
                f"'{value}' is not a {what} in {history.model.documents.risk_policy}: "
                f"allowed {', '.join(allowed)}"))

    for item_id, item in history.items.items():
        path = history.paths[item_id]
        if isinstance(item, Hazard):
            need(item.severity, sev, path, "severity", "severity")
            need(item.probability, prob, path, "probability", "probability")
            need(item.residual.severity, sev, path, "residual.severity", "severity")
            need(item.residual.probability, prob, path, "residual.probability", "probability")
        elif isinstance(item, Anomaly) and item.risk_evaluation is not None:
            need(item.risk_evaluation.severity, sev, path, "risk_evaluation.severity", "severity")
            need(item.risk_evaluation.probability, prob, path, "risk_evaluation.probability",
                 "probability")


def load_design_history(root: Path, cache: ContentCache | None = None) -> DesignHistory:
    """Read the design history under ``root``; raise one InputError for all invalid files.

    Without a ``cache``, the repository's content cache is used and saved here.
    """
    model = load_model(root)
    history = DesignHistory(root=root, model=model)
    problems: list[FileProblem] = []
    own_cache = cache is None
    cache = ContentCache.for_root(root) if cache is None else cache
    documents = {model.documents.intended_use, model.documents.risk_policy}
    folders = model.item_folders
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for rel in iter_relative(root, (folder,), _SUFFIXES):
            if rel in documents or _owning_folder(rel, folders) != folder:
                continue
            _load_item(history, rel, folder, problems, cache)
    history.intended_use = _load_document(  # type: ignore[assignment]
        root, model.documents.intended_use, IntendedUse, problems, cache)
    history.policy = _load_document(  # type: ignore[assignment]
        root, model.documents.risk_policy, RiskPolicy, problems, cache)
    if own_cache:
        cache.save()
    _check_policy_names(history, problems)
    if problems:
        raise_problems(problems, ROLE)
    return history


def _load_item(
    history: DesignHistory, rel: str, folder: str, problems: list[FileProblem],
    cache: ContentCache,
) -> None:
    name = rel.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    if ID_PATTERN.match(stem) is None:
        history.misfiled.append(Misfiled(
            rel, f"file name '{name}' is not an item ID (expected e.g. SRS-012.yaml)"))
        return
    item_id = ItemId(stem)
    home = history.model.folder_of(item_id.kind)
    if home != folder:
        history.misfiled.append(Misfiled(
            rel, f"{item_id.kind} items belong under {home}/, not {folder}/", item_id))
        return
    data, problem = read_yaml(history.root / rel, rel, cache)
    if problem is not None:
        problems.append(problem)
        return
    if not isinstance(data, dict):
        problems.append(FileProblem(rel, None, "must be a YAML mapping of field: value"))
        return
    parsed, found = _validate(MODELS[item_id.kind], data, rel)
    if parsed is None:
        problems.extend(found)
        return
    item: Item = parsed  # type: ignore[assignment]
    if item.id != item_id:
        history.misfiled.append(Misfiled(
            rel, f"the id field says {item.id} but the file name says {item_id}", item_id))
        item = item.model_copy(update={"id": item_id})
    key = (item_id.kind, item_id.number)
    definitions = history.definitions.setdefault(key, [])
    definitions.append((str(item_id), rel))
    if len(definitions) == 1:
        history.items[item_id] = item
        history.paths[item_id] = rel
