"""bp2's annotate stage against SnpEff, pair by pair, on the demo case and the chr22 slice.

SnpEff (Debian ``snpeff`` 5.1) is the independent second annotator: its database is built
offline (``snpEff build -gtf22``, a private ``snpEff.config`` in a temporary folder, ``-noLog``
so nothing is sent anywhere) from the same GTF and FASTA bp2 reads.  Both tools annotate the
same normalised VCF; every (allele, transcript) pair is compared on its Sequence Ontology terms,
HGVSc and HGVSp.

**Datasets.**  *demo truth*: the demo case's ``truth.vcf.gz`` (planted variants, decoys and
background).  *demo sweep* and *chr22 sweep*: alleles placed around every transcript
(:mod:`tests.stages.annotate.sweep`: exon edges, splice sites, start and stop codons, coding
indels, flanks), normalised by ``bcftools norm``.  *chr22 GIAB + gnomAD*: the GIAB v4.2.1
NA12878 truth records of the slice (moved to slice coordinates: pos − 16,569,999) and the
slice's gnomAD r2.1.1 records.  The chr22 gene model is nf-core's ``genome.gtf`` moved by
+2,027 bp and clipped to the slice (see :func:`corrected_slice_gtf`: nf-core's GTF is 2,027 bp
off its FASTA; Ensembl's GFF3 of the same release, minus 16,569,999, confirms the shift).

**Comparison.**  Raw agreement: identical term sets (SnpEff names mapped to Ensembl's by
:func:`bp2.annotation.normalise_term`), identical HGVS after formatting normalisation (SnpEff
lists deleted/duplicated bases, uses ``*`` for stops, ``p.Pro150Pro`` for synonymous and stops
a frameshift description at ``fs``; bp2 writes ``c.76del``, ``Ter``, ``p.Pro150=``,
``p.Arg97ProfsTer23`` — both are compared up to the point SnpEff stops).  Documented conventions
(:data:`CONVENTIONS`) are then applied to both sides; what still differs is explained pair by
pair — first by recomputing bp2's answer on the allele shifted 3′ along the transcript (what
SnpEff annotates; VEP and bp2 annotate the left-aligned allele as called), then by the
difference signatures in :data:`EXPLANATIONS`.  A pair no rule explains is *unexplained* and
fails the test.

Run ``python -m tests.stages.annotate.snpeff_report`` to rewrite ``snpeff_comparison.md``; a
test proves the committed file is current.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pysam

from bp2.annotation import normalise_term
from bp2.genemodel import read_gene_model, unversioned
from bp2.stages.annotate.alleles import Allele
from bp2.stages.annotate.consequences import effect
from bp2.stages.annotate.hgvs import Shifted, _region, hgvs_c, hgvs_p, shift_3prime
from bp2.stages.annotate.stage import AnnotateInputs, AnnotateParams, AnnotateStage
from bp2.stages.annotate.transcripts import (
    TranscriptModel,
    TranscriptSequence,
    build_sequence,
    transcript_models,
)
from bp2.stages.base import StageContext

HERE = Path(__file__).resolve().parent
REPORT = HERE / "snpeff_comparison.md"
SLICE_OFFSET = 16_569_999  # slice position = chr22 position - offset (data README)
GTF_SHIFT = 2_027  # nf-core genome.gtf + 2,027 = Ensembl GFF3 - 16,569,999
SLICE_LENGTH = 40_001

PairKey = tuple[str, int, str, str, str]  # contig, pos, ref, alt, transcript ("" intergenic)


@dataclass(frozen=True)
class Call:
    terms: frozenset[str]
    hgvsc: str
    hgvsp: str
    warnings: str = ""  # SnpEff's ERRORS / WARNINGS / INFO field


# --- running the tools ----------------------------------------------------------------------------


def snpeff_available() -> bool:
    return shutil.which("snpEff") is not None and shutil.which("java") is not None


def _snpeff_config(workdir: Path, genome: str, mito: Iterable[str]) -> Path:
    """A private snpEff.config: the data folder, the two codon tables and the genome."""
    system = Path("/etc/snpeff/snpEff.config")
    tables = [line for line in system.read_text(encoding="utf-8").splitlines()
              if line.startswith(("codon.Standard", "codon.Vertebrate_Mitochondrial"))]
    lines = [f"data.dir = {workdir / 'data'}/", *tables, f"{genome}.genome : {genome}"]
    lines += [f"{genome}.{contig}.codonTable : Vertebrate_Mitochondrial" for contig in mito]
    config = workdir / "snpEff.config"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def build_snpeff(workdir: Path, genome: str, gtf: Path, fasta: Path) -> Path:
    """Build a SnpEff database offline from ``gtf`` and ``fasta``; returns the config."""
    workdir = workdir.resolve()
    data = workdir / "data" / genome
    data.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(gtf, data / "genes.gtf")
    shutil.copyfile(fasta, data / "sequences.fa")
    names = pysam.FastaFile(str(fasta)).references
    config = _snpeff_config(workdir, genome, [n for n in names if n in ("chrM", "MT")])
    subprocess.run(["snpEff", "build", "-gtf22", "-noLog", "-noCheckCds", "-noCheckProtein",
                    "-c", str(config), genome], capture_output=True, check=True, cwd=workdir)
    return config


def run_snpeff(config: Path, genome: str, vcf: Path, *, shift: bool) -> dict[PairKey, Call]:
    """SnpEff's calls; ``shift=False`` adds ``-noShiftHgvs`` (annotate the allele as called)."""
    options = [] if shift else ["-noShiftHgvs"]
    proc = subprocess.run(["snpEff", "ann", "-noLog", "-noStats", *options, "-c", str(config),
                           genome, str(vcf)], capture_output=True, check=True, text=True,
                          cwd=config.parent)
    calls: dict[PairKey, Call] = {}
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        if line.startswith("#") or len(cols) < 8:
            continue  # the Debian wrapper echoes its arguments on the first line
        info = dict(item.partition("=")[::2] for item in cols[7].split(";"))
        for entry in info.get("ANN", "").split(","):
            values = entry.split("|")
            if len(values) < 11:
                continue
            feature = unversioned(values[6]) if values[5] == "transcript" else ""
            key = (cols[0], int(cols[1]), cols[3], cols[4], feature)
            terms = frozenset(normalise_term(t) for t in values[1].split("&"))
            old = calls.get(key)
            if old is not None:  # SnpEff may give one transcript two entries (extra terms)
                terms |= old.terms
            calls[key] = Call(terms, values[9] if old is None else old.hgvsc or values[9],
                              values[10] if old is None else old.hgvsp or values[10],
                              values[15] if len(values) > 15 else "")
    return calls


def run_bp2(vcf: Path, gtf: Path, fasta: Path, outdir: Path) -> tuple[dict[PairKey, Call], float]:
    """Run the annotate stage in-process; its CSQ as pairs, and the seconds it took."""
    fai = Path(str(fasta) + ".fai")
    if not fai.is_file():
        pysam.faidx(str(fasta))
    inputs = AnnotateInputs(vcf=vcf, reference=fasta, reference_index=fai, gene_model=gtf)
    started = time.perf_counter()
    outputs = AnnotateStage().run(inputs, AnnotateParams(), StageContext(outdir=outdir))
    elapsed = time.perf_counter() - started
    return read_csq(outputs.vcf), elapsed


def read_csq(path: Path) -> dict[PairKey, Call]:
    calls: dict[PairKey, Call] = {}
    fields: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("##INFO=<ID=CSQ"):
                fields = line.split("Format: ")[1].rstrip('">\n').split("|")
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            info = dict(item.partition("=")[::2] for item in cols[7].split(";"))
            for entry in info.get("CSQ", "").split(",") if "CSQ" in info else ():
                value = dict(zip(fields, entry.split("|"), strict=True))
                hgvsc = value["HGVSc"].split(":", 1)[1] if value["HGVSc"] else ""
                hgvsp = value["HGVSp"].split(":", 1)[1].replace("%3D", "=") \
                    if value["HGVSp"] else ""
                key = (cols[0], int(cols[1]), cols[3], cols[4], value["Feature"])
                calls[key] = Call(frozenset(value["Consequence"].split("&")), hgvsc, hgvsp)
    return calls


# --- normalisation and conventions ----------------------------------------------------------------

_SPLICE_SUBTERMS = {"splice_donor_5th_base_variant": "splice_region_variant",
                    "splice_donor_region_variant": "splice_region_variant"}
_FLANKS = frozenset({"upstream_gene_variant", "downstream_gene_variant"})

CONVENTIONS: Mapping[str, str] = {
    "splice_subterms": "bp2 (as VEP ≥ 105) names intron bases +3..+6 after a donor "
    "`splice_donor_5th_base_variant` (+5) or `splice_donor_region_variant` (+3, +4, +6) where "
    "SnpEff says `splice_region_variant`, and adds `splice_polypyrimidine_tract_variant` at "
    "acceptor bases −3..−17, which SnpEff does not have",
    "intron_at_splice_site": "SnpEff adds `intron_variant` to a variant at intron bases 1–2 "
    "(`splice_donor_variant`/`splice_acceptor_variant`); VEP and bp2 count an intron variant "
    "only from intron base 3",
    "splice_region_with_site": "SnpEff keeps `splice_region_variant` beside "
    "`splice_donor_variant`/`splice_acceptor_variant` (an allele reaching from intron base 1–2 "
    "into bases 3–8); VEP and bp2 drop it when a canonical splice site is hit",
    "non_coding_transcript_variant": "`non_coding_transcript_variant`: bp2 (as VEP) adds it to "
    "a variant in a non-coding transcript outside its exons, SnpEff to some variants in UTR "
    "introns and across transcript ends; not compared",
    "utr_start_gain": "SnpEff adds `5_prime_UTR_premature_start_codon_gain_variant` (VEP core "
    "has no such term; its UTRannotator plugin does)",
    "flank_hgvs": "SnpEff writes HGVSc for upstream, downstream and intergenic variants "
    "(`c.-5188A>T`, `n.1167T>C`); VEP and bp2 describe only variants inside the transcript",
    "intergenic_with_flanks": "SnpEff adds an `intergenic_region` entry to a variant outside "
    "every gene even when it is upstream/downstream of transcripts; VEP and bp2 report "
    "`intergenic_variant` only when no transcript lies within 5,000 bases",
}


def bp2_terms(terms: frozenset[str], used: set[str]) -> frozenset[str]:
    out = set()
    for term in terms:
        if term in _SPLICE_SUBTERMS:
            used.add("splice_subterms")
            out.add(_SPLICE_SUBTERMS[term])
        elif term == "splice_polypyrimidine_tract_variant":
            used.add("splice_subterms")
        elif term == "non_coding_transcript_variant":
            used.add("non_coding_transcript_variant")
        else:
            out.add(term)
    return _drop_site_intron(frozenset(out), used)


def snpeff_terms(terms: frozenset[str], used: set[str]) -> frozenset[str]:
    out = set(terms)
    for term, convention in (("5_prime_UTR_premature_start_codon_gain_variant", "utr_start_gain"),
                             ("non_coding_transcript_variant", "non_coding_transcript_variant")):
        if term in out:
            used.add(convention)
            out.discard(term)
    return _drop_site_intron(frozenset(out), used)


def _drop_site_intron(terms: frozenset[str], used: set[str]) -> frozenset[str]:
    if not terms & {"splice_donor_variant", "splice_acceptor_variant"}:
        return terms
    if "intron_variant" in terms:
        used.add("intron_at_splice_site")
    if "splice_region_variant" in terms:
        used.add("splice_region_with_site")
    return terms - {"intron_variant", "splice_region_variant"}


def snpeff_hgvsc(text: str) -> str:
    text = re.sub(r"del[ACGTN]+ins", "delins", text)
    return re.sub(r"(del|dup)[ACGTN]+$", r"\1", text)


def _protein(text: str) -> str:
    text = text.replace("*", "Ter")
    match = re.fullmatch(r"p\.([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})", text)
    if match and match.group(1) == match.group(3):
        return f"p.{match.group(1)}{match.group(2)}="
    text = re.sub(r"^(p\.[A-Z][a-z]{2}\d+)([A-Z][a-z]{2})?fs.*$", r"\1fs", text)
    return re.sub(r"^(p\.Ter\d+[A-Z][a-z]{2}ext).*$", r"\1", text)


def same_protein(bp2: str, snpeff: str) -> bool:
    return _protein(bp2) == _protein(snpeff)


def similar_protein(bp2: str, snpeff: str) -> bool:
    """Equal, or bp2's nonsense form of a frameshift that stops at once (``p.Tyr47Ter``) where
    SnpEff writes ``p.Tyr47fs``."""
    if same_protein(bp2, snpeff):
        return True
    nonsense = re.fullmatch(r"(p\.[A-Z][a-z]{2}\d+)Ter", bp2)
    return nonsense is not None and _protein(snpeff) == nonsense.group(1) + "fs"


# --- explaining what remains ----------------------------------------------------------------------

_SPLICE = frozenset({"splice_donor_variant", "splice_acceptor_variant", "splice_region_variant",
                     "intron_variant"})
_CODING = frozenset({"frameshift_variant", "inframe_insertion", "inframe_deletion",
                     "stop_gained", "stop_lost", "start_lost", "stop_retained_variant",
                     "start_retained_variant", "protein_altering_variant", "missense_variant",
                     "synonymous_variant", "coding_sequence_variant"})
_EXONIC = _CODING | {"5_prime_UTR_variant", "3_prime_UTR_variant",
                     "non_coding_transcript_exon_variant"}
_CODON_ENDS = frozenset({"start_lost", "stop_lost", "start_retained_variant",
                         "stop_retained_variant"})


@dataclass(frozen=True)
class Context:
    """What a rule may look at: the allele, its transcript, both tools' terms."""

    allele: Allele
    seq: TranscriptSequence | None
    ours: frozenset[str]
    theirs: frozenset[str]

    @property
    def insertion(self) -> bool:
        return self.allele.is_insertion

    @property
    def indel(self) -> bool:
        return self.allele.is_insertion or self.allele.is_deletion

    def near_transcript_end(self) -> bool:
        if self.seq is None:
            return False
        model, allele = self.seq.model, self.allele
        low, high = min(allele.start, allele.end), max(allele.start, allele.end)
        return any(low - 4 <= edge <= high + 4 for edge in (model.start, model.end))

    def near_codon(self, which: str) -> bool:
        """The allele lies within 3 bases of the start or stop codon (genome)."""
        if self.seq is None or self.seq.coding_start is None or self.seq.coding_end is None:
            return False
        cdna = (range(self.seq.coding_start, self.seq.coding_start + 3) if which == "start"
                else range(self.seq.coding_end - 2, self.seq.coding_end + 1))
        bases = [self.seq.genome_position(c) for c in cdna]
        low, high = min(self.allele.start, self.allele.end), max(self.allele.start,
                                                                 self.allele.end)
        return any(b is not None and low - 3 <= b <= high + 3 for b in bases)


@dataclass(frozen=True)
class Rule:
    """A known difference: which terms, on which side, under which condition, and why."""

    name: str
    text: str
    bp2: frozenset[str]  # terms only bp2 may have under this rule
    snpeff: frozenset[str]  # terms only SnpEff may have
    condition: Callable[[Context], bool]


RULES: tuple[Rule, ...] = (
    Rule("transcript_end",
         "at a transcript's first or last bases: SnpEff counts the outer 3 bases of the first "
         "and last exons as a splice region, reads an insertion just outside the first/last "
         "base as inside, and adds upstream/downstream (and a coding reading) for a deletion "
         "crossing the end; VEP and bp2 have no splice region there, call such an insertion "
         "upstream/downstream and annotate the part inside the transcript",
         _FLANKS | _EXONIC | {"splice_region_variant"},
         _FLANKS | _EXONIC | {"splice_region_variant"},
         lambda c: c.near_transcript_end()),
    Rule("insertion_site",
         "an insertion at an exon–intron junction or next to a splice site: bp2 (as VEP) "
         "places it between two bases — at a junction the splice dinucleotide stays intact and "
         "the inserted bases join the exon (its coding or UTR consequence plus "
         "`splice_region_variant`), and a splice site is hit only by a point inside its two "
         "bases; SnpEff assigns an insertion to the base after the point (at +1 or −2 that is "
         "the splice site itself)",
         _SPLICE | _EXONIC, _SPLICE | _EXONIC,
         lambda c: c.insertion and bool((c.ours ^ c.theirs) & _SPLICE)),
    Rule("codon_and_utr",
         "an indel at the start or stop codon that also touches UTR: VEP and bp2 cannot read it "
         "as codons — they edit the transcript and report whether the codon survives "
         "(`start_lost`/`stop_lost`, or `*_retained_variant` when the UTR rebuilds it in "
         "place) with the UTR term; SnpEff reads an in-frame deletion/insertion or frameshift, "
         "and retained/lost by its own rule",
         _CODON_ENDS | {"5_prime_UTR_variant", "3_prime_UTR_variant", "coding_sequence_variant"},
         _CODON_ENDS | {"inframe_deletion", "inframe_insertion", "frameshift_variant",
                        "5_prime_UTR_variant", "3_prime_UTR_variant"},
         lambda c: c.indel and (c.near_codon("start") or c.near_codon("stop"))),
    Rule("coding_boundary",
         "an indel across an exon–intron junction: VEP and bp2 cannot read it as codons (the "
         "protein depends on splicing) and report `coding_sequence_variant` with the splice "
         "terms; SnpEff splices the edited exon and calls a frameshift or in-frame change",
         frozenset({"coding_sequence_variant"}),
         frozenset({"frameshift_variant", "inframe_deletion", "inframe_insertion",
                    "stop_gained", "stop_lost", "intron_variant", "splice_region_variant"}),
         lambda c: "coding_sequence_variant" in c.ours and c.indel),
    Rule("vep_inframe_insertion",
         "VEP's `inframe_insertion` needs the new peptide to contain the old one (before any "
         "stop) and is not given with `start_lost`; an insertion that changes the residue it "
         "lands in is `protein_altering_variant`, one that brings a stop is `stop_gained`; "
         "SnpEff calls every in-frame insertion `inframe_insertion`",
         frozenset({"protein_altering_variant", "stop_gained"}),
         frozenset({"inframe_insertion"}),
         lambda c: c.insertion),
    Rule("start_codon_table",
         "SnpEff's codon table marks CTG and TTG as start codons, so ATG→CTG/TTG keeps the start "
         "for SnpEff; VEP and bp2 call the loss of ATG `start_lost`",
         frozenset({"start_lost"}), frozenset({"start_retained_variant"}),
         lambda c: not c.indel),
    Rule("frameshift_stop",
         "a frameshift and a stop: VEP and bp2 add `stop_gained` when the codons the allele "
         "changes hold a stop (HGVSp then in nonsense form, `p.Tyr25Ter`); SnpEff adds "
         "`stop_gained` when the new frame meets a stop just after them, and `stop_lost` when "
         "an insertion before the stop shifts the frame through it (bp2's HGVSp shows the "
         "extension)",
         frozenset({"stop_gained"}), frozenset({"stop_gained", "stop_lost"}),
         lambda c: "frameshift_variant" in c.ours and "frameshift_variant" in c.theirs),
    Rule("stop_retained_insertion",
         "an insertion inside the stop codon that rebuilds a stop in place: VEP and bp2 call it "
         "`stop_retained_variant` (protein unchanged, `p.Ter422=`); SnpEff does not",
         frozenset({"stop_retained_variant"}), frozenset(),
         lambda c: c.insertion),
)

SHIFT = ("SnpEff (even with -noShiftHgvs) realigned this indel 3′; bp2's answer for the "
         "3′-moved allele agrees with SnpEff's")


def explain_terms(context: Context) -> list[Rule] | None:
    """The rules that account for every differing term, or None."""
    used: list[Rule] = []
    for side, extra in (("bp2", context.ours - context.theirs),
                        ("snpeff", context.theirs - context.ours)):
        for term in sorted(extra):
            rule = next((r for r in RULES if term in getattr(r, side) and r.condition(context)),
                        None)
            if rule is None:
                return None
            if rule not in used:
                used.append(rule)
    return used


@dataclass
class PairResult:
    key: PairKey
    bp2: Call | None
    snpeff: Call | None
    snpeff_shifted: Call | None = None
    terms_exact: bool = False
    terms_agree: bool = False
    hgvsc_status: str = "n/a"  # agree | convention | explained | unexplained | n/a
    hgvsp_status: str = "n/a"
    term_reason: str = ""
    hgvsc_reason: str = ""
    hgvsp_reason: str = ""
    conventions: set[str] = field(default_factory=set)

    @property
    def unexplained(self) -> bool:
        return "unexplained" in (self.term_reason, self.hgvsc_status, self.hgvsp_status)


class ShiftOracle:
    """bp2's transcripts, and its answers for an allele moved 3′ along a transcript."""

    def __init__(self, gtf: Path, fasta: Path) -> None:
        self.fasta = pysam.FastaFile(str(fasta))
        lengths = dict(zip(self.fasta.references, self.fasta.lengths, strict=True))
        self.models: dict[str, TranscriptModel] = {
            m.transcript_id: m for m in transcript_models(read_gene_model(gtf), lengths)}
        self.sequences: dict[str, TranscriptSequence] = {}
        with_rows = {m.group(1) for m in re.finditer(
            r'\ttranscript\t[^\n]*transcript_id "([^"]+)"', gtf.read_text(encoding="utf-8"))}
        self.exon_only = frozenset(self.models) - with_rows

    def fetch(self, contig: str, start: int, end: int) -> str:
        start = max(start, 1)
        return self.fasta.fetch(contig, start - 1, end).upper() if end >= start else ""

    def sequence(self, tid: str) -> TranscriptSequence | None:
        model = self.models.get(tid)
        if model is None:
            return None
        if tid not in self.sequences:
            self.sequences[tid] = build_sequence(model, self)
        return self.sequences[tid]

    def shifted(self, key: PairKey) -> Call | None:
        """bp2's answer for the allele moved 3′ along the whole transcript."""
        return self.placements(key).get("across")

    def placements(self, key: PairKey) -> dict[str, Call]:
        """bp2's answers for an indel placed as SnpEff may place it: moved 3′ across
        junctions (``across``), moved 3′ but stopping one base before its exon/intron boundary
        (``short``), or not moved (``unshifted``)."""
        contig, pos, ref, alt, tid = key
        seq = self.sequence(tid)
        allele = Allele.from_vcf(contig, pos, ref, alt)
        if seq is None or not (allele.is_insertion or allele.is_deletion):
            return {}
        model = seq.model
        placed = {"across": shift_3prime(allele, model.strand,
                                         (model.start - 5000, model.end + 5000), self)}
        region = _region(seq, allele)
        if region is not None:
            low, high = region
            short = (low, high - 1) if model.strand > 0 else (low + 1, high)
            placed["short"] = shift_3prime(allele, model.strand, short, self)
        placed["unshifted"] = Shifted(allele.start, allele.end, allele.ref, allele.alt)
        calls: dict[str, Call] = {}
        for name, moved in placed.items():
            here = Allele(contig, moved.start, moved.end, moved.ref, moved.alt)
            found = effect(seq, here)
            if found is None:
                continue
            hgvsc = hgvs_c(seq, here, self, shift=False) if found.within_transcript else None
            hgvsp = hgvs_p(seq, found.coding, found.terms) if found.coding is not None else None
            calls[name] = Call(frozenset(found.terms), hgvsc.split(":", 1)[-1] if hgvsc else "",
                               hgvsp.split(":", 1)[-1] if hgvsp else "")
        return calls


PLACEMENT_REASONS = {
    "across": "SnpEff moves the indel 3′ across an exon–intron junction or past the "
    "transcript end; bp2 keeps it within its exon or intron (the same genomic change)",
    "short": "SnpEff stops the 3′ shift one base before an exon/intron boundary or the "
    "transcript end; bp2 shifts up to the boundary (and writes `dup` where the inserted bases "
    "repeat the ones before)",
    "unshifted": "SnpEff left this indel where the VCF has it; bp2 applies HGVS's 3′ rule "
    "(and `dup` where the inserted bases repeat the ones before)",
    "dup_at_start": "the same insertion point; the inserted bases repeat the transcript's "
    "first bases, so HGVS calls it a duplication (bp2), where SnpEff, which does not look "
    "before the transcript's first base, writes an insertion",
    "realign": "SnpEff's 3′-shifting run places the indel 9–19 bases off near the transcript's "
    "3′ end (it flags INFO_REALIGN_3_PRIME); its -noShiftHgvs run names the left-aligned "
    "position as bp2 does before the 3′ shift — a SnpEff artefact",
}


def term_reason(key: PairKey, ours: frozenset[str], theirs: frozenset[str],
                oracle: ShiftOracle) -> str:
    allele = Allele.from_vcf(*key[:4])
    seq = oracle.sequence(key[4])
    rules = explain_terms(Context(allele, seq, ours, theirs))
    if rules is not None:
        return "; ".join(r.text for r in rules)
    shifted = oracle.shifted(key)
    if shifted is not None:
        moved = bp2_terms(shifted.terms, set())
        if moved == theirs:
            return SHIFT
        rules = explain_terms(Context(allele, seq, moved, theirs))
        if rules is not None:
            return SHIFT.split(";")[0] + "; then " + "; ".join(r.text for r in rules)
    return "unexplained"


def compare_pair(key: PairKey, bp2: Call | None, snpeff: Call | None,
                 shifted_hgvs: Call | None, oracle: ShiftOracle) -> PairResult:
    """Compare one pair: terms with SnpEff run on the allele as called (``snpeff``), HGVS with
    SnpEff's default 3′-shifted run (``shifted_hgvs``)."""
    result = PairResult(key, bp2, snpeff, shifted_hgvs)
    if bp2 is None or snpeff is None:
        if key[4] == "" and bp2 is None and snpeff is not None:
            result.conventions.add("intergenic_with_flanks")
            result.terms_agree = True
            result.term_reason = "convention"
        else:
            result.term_reason = missing_reason(key, bp2, oracle)
        return result
    result.terms_exact = bp2.terms == snpeff.terms
    used = result.conventions
    ours, theirs = bp2_terms(bp2.terms, used), snpeff_terms(snpeff.terms, used)
    if ours == theirs:
        result.terms_agree = True
        result.term_reason = "exact" if result.terms_exact else "convention"
    else:
        result.term_reason = term_reason(key, ours, theirs, oracle)
    hgvs = shifted_hgvs or snpeff
    their_c = snpeff_hgvsc(hgvs.hgvsc)
    if not bp2.hgvsc:
        if their_c and (bp2.terms & _FLANKS or "intergenic_variant" in bp2.terms):
            result.hgvsc_status = "convention"
            used.add("flank_hgvs")
        elif their_c:
            result.hgvsc_status = "unexplained"
    elif bp2.hgvsc == their_c:
        result.hgvsc_status = "agree"
    else:
        placements = oracle.placements(key)
        name = next((n for n, c in placements.items() if c.hgvsc == their_c), None)
        if name is None and "INFO_REALIGN_3_PRIME" in hgvs.warnings and "unshifted" in \
                placements and placements["unshifted"].hgvsc == snpeff_hgvsc(snpeff.hgvsc):
            name = "realign"
        if name is None and _same_insertion_point(bp2.hgvsc, their_c):
            name = "dup_at_start"
        result.hgvsc_status = "unexplained" if name is None else "explained"
        result.hgvsc_reason = "" if name is None else PLACEMENT_REASONS[name]
    if bp2.hgvsp or hgvs.hgvsp:
        if bp2.hgvsp and hgvs.hgvsp and same_protein(bp2.hgvsp, hgvs.hgvsp):
            result.hgvsp_status = "agree"
        else:
            placements = oracle.placements(key)
            name = next((n for n, c in placements.items() if hgvs.hgvsp and c.hgvsp
                         and similar_protein(c.hgvsp, hgvs.hgvsp)), None)
            nonsense = re.fullmatch(r"(p\.[A-Z][a-z]{2}\d+)Ter", bp2.hgvsp)
            if nonsense is not None and _protein(hgvs.hgvsp) == nonsense.group(1) + "fs":
                name = None  # the nonsense form explains it better than the placement
            if name is None and result.hgvsc_status == "explained" and result.hgvsc_reason:
                reason: str | None = ("the HGVSc differs for the reason given; SnpEff's protein "
                                      "description follows its placement of the allele")
            elif name is not None:
                reason = ("SnpEff describes the protein of the allele as it places it: "
                          + PLACEMENT_REASONS[name])
            else:
                reason = protein_reason(bp2, hgvs)
            result.hgvsp_status = "unexplained" if reason is None else "explained"
            result.hgvsp_reason = reason or ""
    return result


def _same_insertion_point(ours: str, theirs: str) -> bool:
    """``c.A_Bdup`` (bp2) and ``c.B_Cins…`` (SnpEff): one insertion after B."""
    dup = re.fullmatch(r"([cn]\.)([-*]?\d+)_([-*]?\d+)dup", ours)
    ins = re.fullmatch(r"([cn]\.)([-*]?\d+)_([-*]?\d+)ins[ACGTN]+", theirs)
    return bool(dup and ins and dup.group(3) == ins.group(2))


def missing_reason(key: PairKey, bp2: Call | None, oracle: ShiftOracle) -> str:
    """Why only one tool reports this transcript."""
    seq = oracle.sequence(key[4])
    if bp2 is not None and seq is not None and seq.model.transcript_id in oracle.exon_only:
        return ("the slice GTF has exon rows but no transcript or gene row for this transcript "
                "(nf-core cut them when subsetting); bp2 builds the transcript from its exons, "
                "SnpEff skips it")
    return "unexplained"


def protein_reason(bp2: Call, snpeff: Call) -> str | None:
    """Why bp2's and SnpEff's HGVSp differ, or None."""
    ours, theirs = bp2.hgvsp, _protein(snpeff.hgvsp)
    nonsense = re.fullmatch(r"(p\.[A-Z][a-z]{2}\d+)Ter", ours)
    if nonsense is not None and theirs == nonsense.group(1) + "fs":
        return ("a frameshift whose first changed residue is a stop: HGVS describes it as "
                "nonsense (`p.Trp328Ter`), SnpEff as `p.Trp328fs`")
    if "coding_sequence_variant" in bp2.terms and not ours:
        return ("bp2 (as VEP) gives no HGVSp for an indel it cannot read as codons (across an "
                "exon–intron junction); SnpEff describes its spliced guess")
    if not ours and theirs and bp2.terms & (_CODON_ENDS | {"5_prime_UTR_variant",
                                                            "3_prime_UTR_variant"}):
        return ("the allele touches UTR and the start or stop codon: bp2 (as VEP) describes no "
                "protein change for an edit it does not read as codons; SnpEff does")
    if ours and not theirs and bp2.terms & {"frameshift_variant", "inframe_insertion",
                                            "protein_altering_variant", "stop_gained"}:
        return ("bp2 reads an insertion at an exon–intron junction into the exon and "
                "describes its protein change; SnpEff calls it a splice-site variant with no "
                "protein description")
    if ours.endswith("=") and "Ter" in ours and not theirs.endswith("="):
        return ("an insertion inside the stop codon (or a deletion whose UTR rebuilds it): the "
                "protein is unchanged (`p.Ter422=`); SnpEff describes the edited codons")
    if ours.endswith("=") and not theirs.endswith("="):
        return ("the edited transcript still translates to the same protein (the UTR supplies "
                "the stop): bp2 `=`; SnpEff describes the edited codons")
    if re.search(r"ext", ours) and re.search(r"fs|delins|ins|del", theirs):
        return ("the stop codon is changed and translation reads on: bp2 uses HGVS's extension "
                "form (`p.Ter422ArgextTer4`), SnpEff `fs`/`delins`/`ins`")
    if ours.endswith("Ter") and re.search(r"delins.*Ter|insTer", theirs):
        return ("a stop created at the first changed codon: bp2 writes the HGVS nonsense form "
                "(`p.Trp262Ter`), SnpEff a delins/ins that continues to the stop")
    if ours and "Ter" in theirs and theirs.endswith("del") and bp2.terms & _CODON_ENDS:
        return ("a deletion of codons up to and including the stop: the 3′ UTR supplies the next "
                "residues and a new stop, so bp2 (translating the edited transcript) describes "
                "the resulting protein; SnpEff lists the deleted codons")
    if not ours and theirs and bp2.terms & _FLANKS:
        return ("bp2 (as VEP) calls an insertion just outside the transcript's first or last "
                "base upstream/downstream (no protein change); SnpEff moves it into the "
                "transcript")
    if ours.endswith("?") and theirs.startswith("p.Met1"):
        return ("a change of the start codon: bp2 (as VEP) writes `p.Met1?` (translation "
                "initiation unknown); SnpEff describes a change of Met1")
    if ours.endswith("?") and "Ter" in theirs:
        return ("the stop codon is lost and the transcript ends before a new one: bp2 writes "
                "`?` for the unknown extension, SnpEff describes the deleted codons")
    their_dup = re.fullmatch(r"p\.([A-Z][a-z]{2})\d+dup", theirs)
    our_ins = re.fullmatch(r"p\.[A-Z][a-z]{2}\d+_[A-Z][a-z]{2}\d+ins([A-Z][a-z]{2})", ours)
    if their_dup and our_ins and their_dup.group(1) != our_ins.group(1):
        return ("SnpEff writes a duplication although the inserted residue differs from the one "
                "before it; bp2's description comes from translating the edited transcript "
                "(e.g. …Asn-Asn-Ter → …Asn-Leu-Asn-Ter is `p.Asn556_Asn557insLeu`)")
    duplicated = re.fullmatch(r"p\.[A-Z][a-z]{2}\d+(_[A-Z][a-z]{2}\d+)?dup", ours)
    if duplicated is not None and re.fullmatch(r"p\.[A-Z][a-z]{2}\d+_[A-Z][a-z]{2}\d+ins\w+",
                                                theirs):
        return ("an in-frame insertion that repeats the residues before it: bp2 writes HGVS's "
                "`dup` (3′-most copy), SnpEff an insertion")
    same_kind = any(ours.endswith(kind) and theirs.endswith(kind) for kind in ("del", "dup"))
    if same_kind or ("ins" in ours and "ins" in theirs and "delins" not in ours + theirs):
        return ("an in-frame change in a run of identical residues: bp2 applies HGVS's 3′ "
                    "rule to the protein (the most C-terminal residues), SnpEff names the ones "
                    "its codon change starts at")
    if "delins" in ours or "delins" in theirs:
        return ("an in-frame change across codons: bp2 trims the residues both proteins share "
                "(HGVS's shortest description, 3′ rule), SnpEff describes the codons changed")
    return None


# --- datasets -------------------------------------------------------------------------------------


def corrected_slice_gtf(gtf: Path, gff3: Path, out: Path) -> Path:
    """nf-core's slice GTF moved by +2,027 bp and clipped to the slice.

    Raises AssertionError unless every gene's moved span equals Ensembl's GFF3 span minus
    16,569,999 (the GFF3's genes extend past the slice; their starts must agree, and their ends
    wherever the GTF's did not stop at the slice end)."""
    gff_genes = {}
    for line in gff3.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 9 and "ID=gene:" in cols[8]:
            gene_id = cols[8].split("ID=gene:")[1].split(";")[0]
            gff_genes[gene_id] = (int(cols[3]) - SLICE_OFFSET, int(cols[4]) - SLICE_OFFSET)
    rows = []
    for line in gtf.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) != 9:
            continue
        start, end = int(cols[3]) + GTF_SHIFT, int(cols[4]) + GTF_SHIFT
        if cols[2] == "gene":
            gene_id = cols[8].split('gene_id "')[1].split('"')[0]
            expected = gff_genes[gene_id]
            assert start == expected[0], (gene_id, start, expected)
            assert end == expected[1] or end - GTF_SHIFT == 40_000, (gene_id, end, expected)
        if start > SLICE_LENGTH:
            continue
        cols[3], cols[4] = str(start), str(min(end, SLICE_LENGTH))
        rows.append("\t".join(cols))
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return out


def slice_truth_vcf(giab: Path, gnomad: Path, out: Path) -> Path:
    """GIAB truth (moved to slice coordinates) and the slice's gnomAD records as one VCF."""
    records: set[tuple[int, str, str]] = set()
    with gzip.open(giab, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                cols = line.split("\t")
                for alt in cols[4].split(","):
                    records.add((int(cols[1]) - SLICE_OFFSET, cols[3], alt))
    with gzip.open(gnomad, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                cols = line.split("\t")
                for alt in cols[4].split(","):
                    records.add((int(cols[1]), cols[3], alt))
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID=chr22,length={SLICE_LENGTH}>",
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"chr22\t{p}\t.\t{r}\t{a}\t.\t.\t." for p, r, a in sorted(records)]
    raw = out.with_name("slice_raw.vcf")
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pysam.tabix_compress(str(raw), str(out), force=True)
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


@dataclass
class Dataset:
    name: str
    genome: str
    vcf: Path
    gtf: Path
    fasta: Path
    description: str


@dataclass
class Outcome:
    dataset: Dataset
    records: int
    results: list[PairResult]
    bp2_seconds: float
    snpeff_seconds: float

    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for r in self.results:
            counts["pairs"] += 1
            counts["terms_exact"] += r.terms_exact
            counts["terms_agree"] += r.terms_agree
            counts["terms_explained"] += (not r.terms_agree and r.term_reason != "unexplained")
            for which, status in (("hgvsc", r.hgvsc_status), ("hgvsp", r.hgvsp_status)):
                counts[f"{which}_{status}"] += 1
            counts["unexplained"] += r.unexplained
        return counts


def run_dataset(dataset: Dataset, workdir: Path) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    config = build_snpeff(workdir / "snpeff", dataset.genome, dataset.gtf, dataset.fasta)
    theirs = run_snpeff(config, dataset.genome, dataset.vcf, shift=False)
    shifted = run_snpeff(config, dataset.genome, dataset.vcf, shift=True)
    snpeff_seconds = time.perf_counter() - started
    ours, bp2_seconds = run_bp2(dataset.vcf, dataset.gtf, dataset.fasta, workdir / "bp2")
    oracle = ShiftOracle(dataset.gtf, dataset.fasta)
    results = [compare_pair(key, ours.get(key), theirs.get(key), shifted.get(key), oracle)
               for key in sorted(set(ours) | set(theirs))]
    with gzip.open(dataset.vcf, "rt", encoding="utf-8") as handle:
        records = sum(1 for line in handle if not line.startswith("#"))
    return Outcome(dataset, records, results, bp2_seconds, snpeff_seconds)


def datasets(workdir: Path) -> list[Dataset]:
    from bp2.demo import generate_demo_case
    from tests.stages.annotate.sweep import sweep_variants, write_normalised_vcf
    from tests.testdata import data_file

    demo = generate_demo_case(workdir / "demo", depth=4)
    chr22 = "grch38_chr22_slice_nfcore/"
    slice_gtf = corrected_slice_gtf(data_file(chr22 + "annotation/genome.gtf"),
                                    data_file(chr22 + "annotation/genome.gff3"),
                                    workdir / "slice.gtf")
    slice_fasta = workdir / "slice.fa"
    shutil.copyfile(data_file(chr22 + "reference/genome.fasta"), slice_fasta)
    return [
        Dataset("demo truth", "demo", demo.truth_vcf, demo.gene_model, demo.reference,
                "the demo case's truth.vcf.gz (planted variants, decoys, background)"),
        Dataset("demo sweep", "demo",
                write_normalised_vcf(sweep_variants(demo.gene_model, demo.reference),
                                     demo.reference, workdir / "demo_sweep.vcf.gz"),
                demo.gene_model, demo.reference,
                "alleles around every demo transcript (tests/stages/annotate/sweep.py)"),
        Dataset("chr22 GIAB + gnomAD", "slice",
                slice_truth_vcf(data_file(chr22 + "truth/NA12878_GIAB.chr22.vcf.gz"),
                                data_file(chr22 + "known_sites/gnomAD.r2.1.1.vcf.gz"),
                                workdir / "slice_records.vcf.gz"),
                slice_gtf, slice_fasta,
                "GIAB v4.2.1 NA12878 truth (slice coordinates) and gnomAD r2.1.1 records of "
                "the chr22 slice"),
        Dataset("chr22 sweep", "slice",
                write_normalised_vcf(sweep_variants(slice_gtf, slice_fasta), slice_fasta,
                                     workdir / "slice_sweep.vcf.gz"),
                slice_gtf, slice_fasta, "alleles around every transcript of the chr22 slice"),
    ]


# --- the report -----------------------------------------------------------------------------------


def _call_text(call: Call | None) -> str:
    if call is None:
        return "—"
    parts = ["&".join(sorted(call.terms))]
    parts += [p for p in (call.hgvsc, call.hgvsp) if p]
    return " ".join(parts).replace("|", "\\|")


def _snpeff_text(result: PairResult) -> str:
    if result.snpeff is None:
        return "—"
    hgvs = result.snpeff_shifted or result.snpeff
    return _call_text(Call(result.snpeff.terms, hgvs.hgvsc, hgvs.hgvsp))


def render(outcomes: list[Outcome], snpeff_version: str) -> str:
    lines = [
        "# bp2 annotate vs SnpEff",
        "",
        "Generated by `python -m tests.stages.annotate.snpeff_report` (checked by "
        "`tests/stages/annotate/test_snpeff.py`). SnpEff "
        f"{snpeff_version} (Debian `snpeff`), database built offline from the same GTF and "
        "FASTA (`snpEff build -gtf22 -noLog`); both tools annotate the same normalised VCF and "
        "every (allele, transcript) pair is compared. How the comparison works, the datasets and "
        "the chr22 gene-model correction are described in "
        "`tests/stages/annotate/snpeff_report.py`.",
        "",
        "## Agreement",
        "",
        "| dataset | records | pairs | terms identical | terms agree after conventions | "
        "terms differ, explained | HGVSc agree | HGVSc convention | HGVSc explained | "
        "HGVSp agree | HGVSp explained | unexplained |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        c = outcome.counts()
        lines.append(
            f"| {outcome.dataset.name} | {outcome.records} | {c['pairs']} | {c['terms_exact']} | "
            f"{c['terms_agree']} | {c['terms_explained']} | {c['hgvsc_agree']} | "
            f"{c['hgvsc_convention']} | {c['hgvsc_explained']} | {c['hgvsp_agree']} | "
            f"{c['hgvsp_explained']} | {c['unexplained']} |")
    lines += ["", "Datasets: " + "; ".join(f"*{o.dataset.name}*: {o.dataset.description}"
                                            for o in outcomes) + ".", ""]
    lines += ["## Conventions applied before comparing", "",
              "| convention | pairs | what differs |", "|---|---|---|"]
    used: Counter[str] = Counter()
    for outcome in outcomes:
        for result in outcome.results:
            used.update(result.conventions)
    for name, text in CONVENTIONS.items():
        lines.append(f"| {name} | {used[name]} | {text} |")
    lines += ["", "## Disagreements and why", "",
              "Each explanation has a code (T: terms, C: HGVSc, P: HGVSp) used in the list of "
              "every disagreement below.", ""]
    reasons: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        for r in outcome.results:
            for which, reason in _reasons(r):
                reasons[(which, reason)] += 1
    codes: dict[tuple[str, str], str] = {}
    lines += ["| code | field | pairs | explanation |", "|---|---|---|---|"]
    for (which, reason), count in sorted(reasons.items(), key=lambda kv: (kv[0][0], -kv[1],
                                                                           kv[0][1])):
        letter = {"terms": "T", "HGVSc": "C", "HGVSp": "P"}[which]
        code = f"{letter}{sum(1 for k in codes if k[0] == which) + 1}"
        codes[(which, reason)] = code
        lines.append(f"| {code} | {which} | {count} | {reason} |")
    lines += ["", "## Every disagreement", "",
              "Pairs whose terms differ after the conventions, or whose HGVS differs. `bp2` and "
              "`SnpEff` show terms, HGVSc and HGVSp as each tool writes them (SnpEff's terms "
              "from its `-noShiftHgvs` run, its HGVS from its default, 3′-shifted run); `why` "
              "gives the explanation codes above.", ""]
    for outcome in outcomes:
        rows = [r for r in outcome.results if _reasons(r)]
        lines += [f"### {outcome.dataset.name} ({len(rows)} pairs)", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines += ["| allele | transcript | bp2 | SnpEff | why |", "|---|---|---|---|---|"]
        for r in rows:
            contig, pos, ref, alt, tid = r.key
            why = ", ".join(codes[item] for item in _reasons(r))
            if r.unexplained:
                why = "**unexplained** " + why
            lines.append(f"| {contig}:{pos} {ref}>{alt} | {tid or '(intergenic)'} | "
                         f"{_call_text(r.bp2)} | {_snpeff_text(r)} | {why} |")
        lines.append("")
    return "\n".join(lines)


def _reasons(r: PairResult) -> list[tuple[str, str]]:
    """(field, explanation) of each way a pair disagrees (empty when it agrees)."""
    found = []
    if r.term_reason not in ("exact", "convention", ""):
        found.append(("terms", r.term_reason))
    if r.hgvsc_status in ("explained", "unexplained"):
        found.append(("HGVSc", r.hgvsc_reason or "unexplained"))
    if r.hgvsp_status in ("explained", "unexplained"):
        found.append(("HGVSp", r.hgvsp_reason or "unexplained"))
    return found


def snpeff_version() -> str:
    proc = subprocess.run(["snpEff", "-version"], capture_output=True, text=True, check=False)
    words = (proc.stdout + proc.stderr).split()
    return words[1] if len(words) > 1 else "unknown"


def generate() -> tuple[str, list[Outcome]]:
    with tempfile.TemporaryDirectory(prefix="bp2-snpeff-") as tmp:
        work = Path(tmp)
        outcomes = [run_dataset(d, work / d.name.replace(" ", "_").replace("+", ""))
                    for d in datasets(work)]
        return render(outcomes, snpeff_version()) + "\n", outcomes


def main() -> int:
    text, outcomes = generate()
    REPORT.write_text(text, encoding="utf-8")
    for outcome in outcomes:
        print(outcome.dataset.name, dict(outcome.counts()),
              f"bp2 {outcome.bp2_seconds:.1f} s, snpEff {outcome.snpeff_seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
