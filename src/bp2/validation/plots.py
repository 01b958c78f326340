"""Plots of a protocol's figures (matplotlib, Agg backend, written atomically as PNG)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bp2.fileio import atomic_path
from bp2.validation.criteria import Counts, Figures, counts_figures
from bp2.validation.genmod import Comparison

IMPLEMENTS = ("SRS-337", "SRS-343")

STRATA = ("SNP", "INDEL", "ALL")


def accuracy_plots(outdir: Path, title: str, bp2: Mapping[str, Counts],
                   bare: Mapping[str, Counts]) -> list[str]:
    """Recall and precision with Wilson 95 % intervals, and FP/FN counts, bp2 beside the bare
    chain, per stratum.  Returns the plots' paths relative to ``outdir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = {"bp2": counts_figures("x", bp2), "bare chain": counts_figures("x", bare)}
    strata = [s for s in STRATA if s in bp2 and s in bare]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, ("recall", "precision"), strict=True):
        for offset, (label, f) in zip((-0.12, 0.12), figs.items(), strict=True):
            xs, ys, lo, hi = [], [], [], []
            for i, s in enumerate(strata):
                value = f.values.get(f"x.{s}.{metric}")
                if value is None:
                    continue
                xs.append(i + offset)
                ys.append(value)
                lo.append(value - f.values[f"x.{s}.{metric}.ci_low"])
                hi.append(f.values[f"x.{s}.{metric}.ci_high"] - value)
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", capsize=4, label=label)
        ax.set_xticks(range(len(strata)), [_label(s, figs["bp2"]) for s in strata])
        ax.set_title(f"{metric} (95 % Wilson interval)")
        ax.set_ylim(top=1.005)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="lower left")
    fig.suptitle(f"{title}: bp2 vs bare minimap2 + samtools + bcftools")
    fig.tight_layout()
    names = ["accuracy.png", "errors.png"]
    _save(fig, outdir / names[0])
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.2
    for j, (label, key) in enumerate((("bp2 FP", ("bp2", "fp")), ("bp2 FN", ("bp2", "fn")),
                                      ("bare FP", ("bare chain", "fp")),
                                      ("bare FN", ("bare chain", "fn")))):
        f = figs[key[0]]
        ax.bar([i + (j - 1.5) * width for i in range(len(strata))],
               [f.values[f"x.{s}.{key[1]}"] for s in strata], width, label=label)
    ax.set_xticks(range(len(strata)), [_label(s, figs["bp2"]) for s in strata])
    ax.set_ylabel("count")
    ax.set_title(f"{title}: false positives and false negatives")
    ax.legend()
    fig.tight_layout()
    _save(fig, outdir / names[1])
    plt.close(fig)
    return names


def _label(stratum: str, f: Figures) -> str:
    n = f.values.get(f"x.{stratum}.recall.n")
    return f"{stratum}\n({n} truth)" if n is not None else stratum


def _save(fig: object, path: Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})  # type: ignore[attr-defined]


def tiering_plots(outdir: Path, title: str, counts: Mapping[str, int],
                  expected: Mapping[str, float | None], comparison: Comparison | None
                  ) -> list[str]:
    """The de novo candidates per gate set beside the expected count, and genmod vs bp2 as one
    2 × 2 confusion table per model (disagreement cells red when any record in them lacks a
    committed explanation).  Returns the plots' paths relative to ``outdir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    names: list[str] = []
    if counts:
        fig, ax = plt.subplots(figsize=(max(4.0, 2.2 * len(counts)), 3.6))
        xs = list(range(len(counts)))
        ax.bar([x - 0.18 for x in xs], list(counts.values()), 0.36, label="bp2 tier stage")
        want = [expected.get(n) for n in counts]
        ax.bar([x + 0.18 for x in xs], [w if w is not None else 0 for w in want], 0.36,
               label="expected (criterion)", color="grey")
        for x, got in zip(xs, counts.values(), strict=True):
            ax.annotate(str(got), (x - 0.18, got), ha="center", va="bottom")
        ax.set_xticks(xs, list(counts))
        top = max([*counts.values(), *(w for w in want if w is not None)], default=1)
        ax.set_ylim(0, top * 1.3 + 1)
        ax.set_ylabel("de novo candidates")
        ax.set_title(f"{title}: de novo candidates per gate set")
        ax.legend()
        fig.tight_layout()
        names.append("de_novo_counts.png")
        _save(fig, outdir / names[-1])
        plt.close(fig)
    if comparison is not None:
        models = list(comparison.tables)
        fig, axes = plt.subplots(1, len(models), figsize=(2.4 * len(models), 3.0),
                                 squeeze=False)
        unexplained = {record for _, record in comparison.unexplained}
        for ax, model in zip(axes[0], models, strict=True):
            cells = comparison.tables[model]
            for i, genmod_yes in enumerate((True, False)):
                for j, bp2_yes in enumerate((True, False)):
                    records = cells[(genmod_yes, bp2_yes)]
                    bad = genmod_yes != bp2_yes and any(
                        (model, r) in comparison.unexplained for r in records)
                    colour = ("#e06666" if bad else "#f6d7a7" if records and genmod_yes != bp2_yes
                              else "#b6d7a8" if genmod_yes == bp2_yes else "#eeeeee")
                    ax.add_patch(Rectangle((j, 1 - i), 1, 1, color=colour, ec="white"))
                    ax.text(j + 0.5, 1.5 - i, str(len(records)), ha="center", va="center",
                            fontsize=14)
            ax.set_xlim(0, 2)
            ax.set_ylim(0, 2)
            ax.set_xticks([0.5, 1.5], ["bp2 yes", "bp2 no"])
            ax.set_yticks([1.5, 0.5], ["genmod yes", "genmod no"])
            ax.set_title(model)
            ax.set_aspect("equal")
        fig.suptitle(f"{title}: genmod vs bp2 segregation ({len(comparison.genmod)} records; "
                     f"{len(comparison.disagreements)} disagreements, "
                     f"{len(comparison.unexplained)} unexplained"
                     + (f": {', '.join(sorted(unexplained))}" if unexplained else "") + ")\n"
                     "green: agreement; orange: explained disagreement; red: unexplained")
        fig.tight_layout()
        names.append("genmod_confusion.png")
        _save(fig, outdir / names[-1])
        plt.close(fig)
    return names
