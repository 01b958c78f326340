"""Allele normalisation for benchmarking: trim, left-align, decompose into primitives.

* :func:`trim` removes the bases an allele pair shares at its ends (parsimony), keeping one base
  of padding so that no allele is empty (VCF form).
* :func:`left_align` shifts an indel to its leftmost equivalent position using reference bases
  (Tan, Abecasis & Kang 2015; the algorithm of ``vt normalize`` and ``bcftools norm``).
* :func:`decompose` splits an MNP into its SNPs and a complex allele into the primitives of a
  minimal-edit global alignment (mismatches become SNPs, each run of gaps one indel, a run mixing
  gaps and mismatches one smaller complex allele), so that a partly right complex call earns
  credit for the parts it gets right (hap.py's ``--decompose``, vcflib ``vcfallelicprimitives``).
"""

from __future__ import annotations

from collections.abc import Callable

IMPLEMENTS = ("SRS-301",)

Fetch = Callable[[str, int, int], str]
Primitive = tuple[int, str, str]
"""``(pos, ref, alt)``, 1-based VCF representation of one primitive allele."""

MAX_ALIGN_CELLS = 250_000
"""Complex alleles whose alignment matrix would exceed this many cells are kept whole."""


def trim(pos: int, ref: str, alt: str) -> Primitive:
    """Trim shared trailing then leading bases, keeping both alleles non-empty."""
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def left_align(chrom: str, pos: int, ref: str, alt: str, fetch: Fetch) -> Primitive:
    """Left-align and trim an allele against the reference (both alleles stay non-empty)."""
    changed = True
    while changed:
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt, changed = ref[:-1], alt[:-1], True
        if (not ref or not alt) and pos > 1:
            base = fetch(chrom, pos - 2, pos - 1).upper()
            if len(base) != 1:
                raise ValueError(f"reference has no base at {chrom}:{pos - 1}")
            ref, alt, pos, changed = base + ref, base + alt, pos - 1, True
    if not ref or not alt:  # an indel at the very start of the contig: pad on the right
        base = fetch(chrom, pos - 1 + len(ref), pos + len(ref)).upper()
        ref, alt = ref + base, alt + base
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _align(ref: str, alt: str) -> list[tuple[str, str]]:
    """Global alignment (unit costs), as columns ``(ref_base|'', alt_base|'')``.

    The traceback prefers diagonal moves from the end, which places gaps as far left as the
    optimal alignments allow.
    """
    n, m = len(ref), len(alt)
    prev = list(range(m + 1))
    rows = [prev]
    for i in range(1, n + 1):
        cur = [i] + [0] * m
        r = ref[i - 1]
        for j in range(1, m + 1):
            diag = prev[j - 1] + (0 if r == alt[j - 1] else 1)
            up = prev[j] + 1
            left = cur[j - 1] + 1
            cur[j] = min(diag, up, left)
        rows.append(cur)
        prev = cur
    cols: list[tuple[str, str]] = []
    i, j = n, m
    while i > 0 or j > 0:
        here = rows[i][j]
        if i > 0 and j > 0 and here == rows[i - 1][j - 1] + (0 if ref[i - 1] == alt[j - 1] else 1):
            cols.append((ref[i - 1], alt[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and here == rows[i - 1][j] + 1:
            cols.append((ref[i - 1], ""))
            i -= 1
        else:
            cols.append(("", alt[j - 1]))
            j -= 1
    cols.reverse()
    return cols


def decompose(pos: int, ref: str, alt: str) -> list[Primitive]:
    """Primitives of a trimmed allele pair; empty-allele primitives are padded inside the allele.

    SNPs and simple indels come back unchanged.  An allele too long to align is returned whole.
    """
    if len(ref) == len(alt):
        if len(ref) == 1:
            return [(pos, ref, alt)]
        return [(pos + k, r, a) for k, (r, a) in enumerate(zip(ref, alt, strict=True)) if r != a]
    if len(ref) == 1 or len(alt) == 1:
        return [(pos, ref, alt)]  # a simple (padded) indel
    if len(ref) * len(alt) > MAX_ALIGN_CELLS:
        return [(pos, ref, alt)]
    cols = _align(ref, alt)
    out: list[Primitive] = []
    offset = 0  # 0-based offset into ref of the next column
    k = 0
    while k < len(cols):
        r, a = cols[k]
        if r == a:
            offset += 1
            k += 1
            continue
        start = offset
        run_ref: list[str] = []
        run_alt: list[str] = []
        while k < len(cols) and cols[k][0] != cols[k][1]:
            run_ref.append(cols[k][0])
            run_alt.append(cols[k][1])
            offset += len(cols[k][0])
            k += 1
        sub_ref, sub_alt = "".join(run_ref), "".join(run_alt)
        if len(sub_ref) == len(sub_alt):
            out.extend((pos + start + i, x, y)
                       for i, (x, y) in enumerate(zip(sub_ref, sub_alt, strict=True)) if x != y)
            continue
        if start == 0 and offset == len(ref):  # nothing of the allele aligns: keep it whole
            out.append((pos, ref, alt))
        elif start > 0:  # pad with the preceding reference base of the allele
            out.append((pos + start - 1, ref[start - 1] + sub_ref, ref[start - 1] + sub_alt))
        else:  # nothing precedes inside the allele: pad with the following base
            nxt = ref[offset]
            out.append((pos, sub_ref + nxt, sub_alt + nxt))
    return out
