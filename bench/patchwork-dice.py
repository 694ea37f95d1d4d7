"""Dice per tissue (0-6) and brain (labels >= 3) of a label image against the truth, numpy (bench/results cross-check).

    patchwork-dice.py PREDICTED TRUTH
"""
import sys, nibabel as nib, numpy as np
p = np.asarray(nib.load(sys.argv[1]).dataobj).astype(int); t = np.asarray(nib.load(sys.argv[2]).dataobj).astype(int)
d = lambda a, b: 2 * (a & b).sum() / (a.sum() + b.sum())
print([round(d(p == k, t == k), 3) if (t == k).any() else None for k in range(7)], "brain", round(d(p >= 3, t >= 3), 3))
