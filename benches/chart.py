#!/usr/bin/env python3
"""Draws the ours / peer ratios written by benches/compare.sh (a TSV of `config<TAB>ratio<TAB>goal`
lines, goal "-" when there is none) as a horizontal bar chart with each row's goal marked, and a
line at 1.0. Usage: chart.py <ratios.tsv> <out.png> [title]. Needs matplotlib (compare.sh installs
it into target/bench-venv)."""
import re, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

path, out = sys.argv[1], sys.argv[2]
title = sys.argv[3] if len(sys.argv) > 3 else "ours / peer (higher is better)"
rows = []
for line in open(path):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 3:
        continue
    name, r, g = parts
    name = re.sub(r" \([^)]*\)", "", name)  # the table's notes in parentheses
    try:
        rows.append((name, float(r), None if g in ("", "-") else float(g)))
    except ValueError:
        pass
if not rows:
    sys.exit("no ratios in " + path)

h = max(3, 0.32 * len(rows) + 1.2)
fig, ax = plt.subplots(figsize=(12, h))
ys = list(range(len(rows)))[::-1]
colors = []
for _, r, g in rows:
    colors.append("#9e9e9e" if g is None else ("#2e7d32" if r >= g else "#c62828"))
# the axis stops at 2.5 (or the highest goal): longer bars are cut there, their value printed
xmax = max(2.5, max((g or 0) for _, _, g in rows) * 1.1)
ax.barh(ys, [min(r, xmax) for _, r, _ in rows], color=colors, height=0.7)
for y, (_, r, g) in zip(ys, rows):
    ax.text(min(r, xmax) + 0.02 if r < xmax else xmax - 0.02, y, f"{r:.2f}" + (" >" if r >= xmax else ""),
            va="center", ha="left" if r < xmax else "right", fontsize=7, color="black" if r < xmax else "white")
    if g is not None:
        ax.plot([g, g], [y - 0.42, y + 0.42], color="black", linewidth=2)
ax.axvline(1.0, color="#555555", linestyle=":", linewidth=1)
ax.set_yticks(ys)
ax.set_yticklabels([n for n, _, _ in rows], fontsize=7)
ax.set_xlim(0, xmax)
ax.set_xlabel("ratio (black tick: goal; green: goal met, red: not met, grey: no goal; dotted: 1.0)")
ax.set_title(title, fontsize=10)
fig.tight_layout()
fig.subplots_adjust(left=max(fig.subplotpars.left, 0.36))
fig.savefig(out, dpi=110)
print(f"wrote {out} ({len(rows)} ratios)")
