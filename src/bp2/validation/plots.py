"""Plots of a protocol's figures (matplotlib, Agg backend, written atomically as PNG)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bp2.fileio import atomic_path
from bp2.validation.criteria import Counts, Figures, counts_figures

IMPLEMENTS = ("SRS-337",)

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
