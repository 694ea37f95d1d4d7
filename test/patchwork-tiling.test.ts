import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_LIBRARY_DIR } from '../src/jobs/library.js';

// The patch geometry of the patchwork jobs without training: apply's tiling, training's patch trees
// and the parent context each level gets, run in Debian's python3-torch on the CPU.
const PYTHON = '/usr/bin/python3';

describe('patchwork apply tiling', () => {
  it('covers the field of view at depth 3 with 27 + 343 patches, each inside the parents it averages', () => {
    // Half-box steps: two patches per axis see every point; a child on a parent boundary lists both.
    const code = [
      'import sys, numpy as np',
      'sys.path.insert(0, sys.argv[1])',
      'from patchwork_patches import default_scheme, level_boxes',
      's = default_scheme(3, 32, 0.5)',
      'one = level_boxes(s, 1, [(np.zeros(3), np.ones(3), None)])',
      'two = level_boxes(s, 2, [(c, h, None) for c, h, _ in one])',
      'inside = all(np.all(np.abs(c - p[0]) + h <= p[1] + 1e-6) for c, h, ps in two for p in ps)',
      'axis = [c[0] for c, _, _ in two if c[1] == c[2] == 0]',
      'seen = lambda t: sum(abs(t - c) <= 0.25 + 1e-9 for c in axis)',
      'edge, middle = np.linspace(-0.99, 0.99, 99), np.linspace(-0.74, 0.74, 99)',
      'print(len(one), len(two), inside, max(len(ps) for _, _, ps in two), min(map(seen, edge)), min(map(seen, middle)))',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe('27 343 True 8 1 2');
  });

  it('gives the finest level of a depth-3 tree the same parent context in training and in apply', () => {
    // A model of known output: level 0 thresholds a ramp image along one axis (a soft step at its
    // middle), every finer level passes its parent's probabilities through unchanged. Apply must then
    // put level 0's step back on the image grid at every depth, and the training path's loss must not
    // grow with the level: a wrong crop, offset, scale or parent at level 2 moves or blurs the step.
    // Tolerance 0.03: the step is sampled through three levels of trilinear interpolation.
    const code = [
      'import sys, numpy as np, torch',
      'sys.path.insert(0, sys.argv[1])',
      'from torch import nn',
      'from patchwork_patches import Volume, default_scheme, random_tree',
      'from patchwork_apply import predict',
      'from patchwork_train import forward',
      'class Step(nn.Module):',
      '    def forward(self, x): return torch.cat([2 * x[:, :1] - 1, 1 - 2 * x[:, :1]], 1)',
      'class Parent(nn.Module):',
      '    def forward(self, x): return torch.log(x[:, 1:].clamp_min(1e-9))',
      'class Model(nn.Module):',
      '    def __init__(self, depth, finer=Parent):',
      '        super().__init__()',
      '        self.levels = nn.ModuleList([Step()] + [finer() for _ in range(depth - 1)])',
      'def level_losses(depth, finer, scheme, volume, trees):',
      "    # forward gives the mean over the levels; each level's own loss from the means of 1..depth levels.",
      '    means = [float(forward(Model(d, finer), [volume] * len(trees), [t[:d] for t in trees], scheme)) for d in range(1, depth + 1)]',
      '    return np.array([means[0]] + [d * means[d - 1] - (d - 1) * means[d - 2] for d in range(2, depth + 1)])',
      'shape, out = (40, 36, 24), []',
      'grid = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")).astype(np.float32)',
      'for axis in range(3):',
      '    ramp = grid[axis : axis + 1] / (shape[axis] - 1)',
      '    step = torch.sigmoid(torch.from_numpy(4 * ramp[0] - 2))',
      '    target = np.concatenate([ramp > 0.5, ramp <= 0.5]).astype(np.float32)',
      '    volume = Volume(ramp, target)',
      '    for depth in (2, 3):',
      '        scheme = default_scheme(depth, 16, 0.5)',
      '        probs = predict(Model(depth), volume, scheme, 2, 1)',
      '        rng = np.random.default_rng(axis)',
      '        voxels = [np.argwhere(ramp[0] > 0.5)]',
      '        trees = [random_tree(scheme, shape, voxels, rng, 0.5) for _ in range(8)]',
      '        passed = level_losses(depth, Parent, scheme, volume, trees)',
      '        own = level_losses(depth, Step, scheme, volume, trees)',
      '        print(depth, float((probs[0] - step).abs().max()), passed - own, file=sys.stderr)',
      '        out.append(float((probs[0] - step).abs().max()) < 0.015 and float(np.abs(passed - own).max()) < 0.002)',
      'print(out)',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe('[True, True, True, True, True, True]');
  });

  it('trains the finest level of depth 3 on every position apply tiles, the corners included', () => {
    // Apply tiles level 2 uniformly over centres in [-0.75, 0.75] per axis: a third of them beyond 0.5,
    // 1/27 beyond it on all three axes. Trees drawn top-down (each child uniform inside its parent)
    // gave 0.13 and 0.003: the finest level almost never saw the corners and labelled them as tissue.
    // 4000 unbalanced trees: the fractions' standard errors are 0.007 and 0.003.
    const code = [
      'import sys, numpy as np',
      'sys.path.insert(0, sys.argv[1])',
      'from patchwork_patches import default_scheme, random_tree',
      's, rng = default_scheme(3, 32, 0.5), np.random.default_rng(3)',
      'trees = [random_tree(s, (64, 64, 48), [], rng, 0) for _ in range(4000)]',
      'nested = all(np.all(np.abs(t[k + 1][0] - t[k][0]) + t[k + 1][1] <= t[k][1] + 1e-9) for t in trees for k in range(2))',
      'leaf = np.array([t[2][0] for t in trees])',
      'axis, corner = (np.abs(leaf[:, 0]) > 0.5).mean(), (np.abs(leaf) > 0.5).all(1).mean()',
      'print(nested, 0.3 < axis < 0.37, 0.027 < corner < 0.047, np.abs(leaf).max() <= 0.75 + 1e-9)',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe('True True True True');
  });

  it('tiles denser with a larger overlap, and derives the depth from the image size', () => {
    // Overlap 4: steps of a quarter box, 5 level-1 patches per axis; depth auto: finest level at the
    // image's own resolution (patch 32, scale 0.5).
    const code = [
      'import sys, numpy as np',
      'sys.path.insert(0, sys.argv[1])',
      'from patchwork_patches import auto_depth, default_scheme, level_boxes',
      'one = level_boxes(default_scheme(2, 32, 0.5), 1, [(np.zeros(3), np.ones(3), None)], overlap=4)',
      'shapes = [(64, 64, 48)], [(181, 217, 181)], [(256,) * 3], [(32, 32, 24)], [(33, 10, 10)], [(512,) * 3]',
      'print(len(one), [auto_depth(s) for s in shapes], auto_depth([(32, 32, 24)], 16), auto_depth([(99,) * 3], 32, 1.0))',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe('125 [2, 4, 4, 1, 2, 5] 2 1');
  });
});
