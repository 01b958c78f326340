"""CPU and memory classes of each stage, rendered as process labels.

Every process gets one ``bp2_cpu_*`` and one ``bp2_mem_*`` label; ``nextflow.config`` maps each
label to a number of CPUs or an amount of memory, so a site tunes a class once (or one stage
with ``withName``) in its own config file instead of editing the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from bp2.errors import PipelineDefinitionError

IMPLEMENTS = ("SRS-401",)

CPU_CLASSES: dict[str, int] = {"low": 1, "medium": 2, "high": 8}
MEMORY_CLASSES: dict[str, str] = {"low": "2 GB", "medium": "8 GB", "high": "16 GB"}


@dataclass(frozen=True)
class StageResources:
    cpu: str
    memory: str
    reason: str

    @property
    def labels(self) -> tuple[str, str]:
        return (f"bp2_cpu_{self.cpu}", f"bp2_mem_{self.memory}")


# Sized for a 30-40x genome; the reason is rendered beside the labels in main.nf.
STAGE_RESOURCES: dict[str, StageResources] = {
    "intake": StageResources("low", "low", "streams every FASTQ record once"),
    "align": StageResources("high", "high", "minimap2 with a genome index (~8 GB) and sorting"),
    "qc_alignment": StageResources("medium", "medium", "one pass over a sample's alignments"),
    "call": StageResources("high", "high", "parallel mpileup chunks over the trio's alignments"),
    "annotate": StageResources("medium", "medium", "gene model and population tables in memory"),
    "qc_family": StageResources("low", "medium", "genotype matrix of the family VCF"),
    "panels": StageResources("low", "low", "small JSON panels"),
    "tier": StageResources("low", "medium", "annotated family VCF, one record at a time"),
    "report": StageResources("low", "medium", "HTML and PDF rendering"),
}


def stage_resources(stage_id: str) -> StageResources:
    """The resource classes of a stage; a stage without an entry cannot be rendered."""
    try:
        return STAGE_RESOURCES[stage_id]
    except KeyError:
        raise PipelineDefinitionError(
            f"stage '{stage_id}' has no CPU and memory class for Nextflow",
            field=stage_id,
            hint="add it to STAGE_RESOURCES in src/bp2/nextflow/resources.py",
        ) from None
