"""In-memory builders of Variant, Call and Family records for the pure tier tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bp2.annotation import TranscriptConsequence, most_severe_impact
from bp2.case import Sex
from bp2.stages.tier.model import Call, Family, Person, Region, Variant


def call(gt: str, *, gq: int | None = 50, dp: int | None = 30,
         ad: tuple[int, int] | None = None, ps: int | None = None) -> Call:
    """A call from a GT string ('0/1', '1', '1|0', './.'), counting ALT allele 1."""
    phased = "|" in gt
    parts = gt.replace("|", "/").split("/")
    alleles = [None if p == "." else int(p) for p in parts]
    copies = None if None in alleles else sum(1 for a in alleles if a == 1)
    if ad is None and copies is not None:
        ad = {0: (30, 0), 1: (15, 15), 2: (0, 30)}[min(copies, 2)]
    return Call(copies=copies, gt=gt, ploidy=len(alleles), gq=gq, dp=dp,
                ref_reads=None if ad is None else ad[0], alt_reads=None if ad is None else ad[1],
                phased=phased, phase_set=ps,
                alt_haplotypes=tuple(i for i, a in enumerate(alleles) if a == 1))


def tc(consequence: str = "missense_variant", gene: str = "GENE1",
       gene_id: str | None = "ENSG00000000001", biotype: str = "protein_coding",
       transcript: str | None = None) -> TranscriptConsequence:
    terms = tuple(consequence.split("&"))
    return TranscriptConsequence(
        source="CSQ", allele="A", terms=terms, impact=most_severe_impact(terms), symbol=gene,
        gene_id=gene_id, hgnc_id=None, transcript=transcript or f"ENST-{gene}",
        biotype=biotype, hgvsc=None, hgvsp=None)


def variant(gts: Mapping[str, str | Call], *, pos: int = 1000, chrom: str = "chr1",
            region: Region = Region.AUTOSOMAL, consequences: Sequence[TranscriptConsequence] = (),
            frequencies: Mapping[str, float | None] | None = None,
            clinvar: tuple[str, ...] = (), review: str | None = None,
            site_depth: int | None = 40, filters: tuple[str, ...] = ("PASS",),
            ref: str = "A", alt: str = "G") -> Variant:
    calls = {s: g if isinstance(g, Call) else call(g) for s, g in gts.items()}
    return Variant(chrom=chrom, pos=pos, ref=ref, alt=alt, region=region, calls=calls,
                   filters=filters, site_depth=site_depth, consequences=tuple(consequences),
                   frequencies=dict(frequencies or {}), clinvar_significance=clinvar,
                   clinvar_review_status=review)


def family(rows: Sequence[tuple[str, str | None, str | None, Sex, bool | None]],
           x_linked: bool = True) -> Family:
    """rows: (id, father, mother, sex, affected)."""
    return Family({i: Person(i, s, a, f, m) for i, f, m, s, a in rows}, x_linked=x_linked)


def trio(child_sex: Sex = Sex.MALE, *, father_affected: bool | None = False,
         mother_affected: bool | None = False) -> Family:
    return family([("child", "father", "mother", child_sex, True),
                   ("father", None, None, Sex.MALE, father_affected),
                   ("mother", None, None, Sex.FEMALE, mother_affected)])


def gts(child: str, father: str, mother: str) -> dict[str, str]:
    return {"child": child, "father": father, "mother": mother}
