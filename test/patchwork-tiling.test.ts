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

  it('trains the finest level of depth 3 on every position apply tiles, edges and corners as often', () => {
    // Apply tiles level 2 at 7 offsets per axis in [-0.75, 0.75]: 2 of 7 at the edges of that range (boxes
    // touching the image border), 8 of 343 tiles in the corners. Trees drawn top-down (each child uniform
    // inside its parent) gave 0.13 beyond 0.5 per axis and 0.003 in the corner octants; leaves uniform
    // over the range gave no box on the border at all and 1/216 near a corner (the corner tiles were
    // under-trained). Unbalanced trees now sit on an edge 2/7 of the time per axis, in a corner 8/343.
    // 4000 trees: standard errors 0.007 (edge) and 0.0024 (corner). Depth 2: 2 of 3 offsets are edges.
    const code = [
      'import sys, numpy as np',
      'sys.path.insert(0, sys.argv[1])',
      'from patchwork_patches import default_scheme, random_tree, tile_offsets',
      'out = []',
      'for depth, room in ((3, 0.75), (2, 0.5)):',
      '    s, rng = default_scheme(depth, 32, 0.5), np.random.default_rng(3)',
      '    trees = [random_tree(s, (64, 64, 48), [], rng, 0) for _ in range(4000)]',
      '    nested = all(np.all(np.abs(t[k + 1][0] - t[k][0]) + t[k + 1][1] <= t[k][1] + 1e-9) for t in trees for k in range(depth - 1))',
      '    leaf = np.array([t[-1][0] for t in trees])',
      '    offsets = tile_offsets(s, depth - 1)',
      '    share = 2 / len(offsets)',
      '    edge = np.isclose(np.abs(leaf), room)',
      '    inner = np.abs(leaf[~edge])',
      '    print(depth, len(offsets), edge.mean(), edge.all(1).mean(), inner.mean(), file=sys.stderr)',
      '    out += [nested, abs(edge.mean() - share) < 0.025, abs(edge.all(1).mean() - share ** 3) < 3.5 * np.sqrt(share ** 3 / 4000) + 0.002,',
      '            np.abs(leaf).max() <= room + 1e-9, abs(inner.mean() - room / 2) < 0.02]',
      'print(out)',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe(`[${Array(10).fill('True').join(', ')}]`);
  });

  it('tiles denser with a larger overlap, and derives the depth from the image size', () => {
    // Overlap 4: steps of a quarter box, 5 level-1 patches per axis; depth auto: finest level at the
    // image's own resolution (patch 32, scale 0.5), at most 3 levels (1 mm brains would need 4, 512
    // voxels 5).
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
    expect(done.stdout.trim()).toBe('125 [2, 3, 3, 1, 2, 3] 2 1');
  });
});

describe('patchwork parent schemes', () => {
  it('makes a residual child of zero weights reproduce its parent, and starts training there', () => {
    // parent=residual: a finer level's logits are its U-Net's output plus the log of the parent's
    // probabilities. With zero weights (or the zeroed last layer a residual model starts with) the child
    // predicts its parent exactly; a plain child of zero weights predicts 1/K everywhere. Through apply,
    // a depth-3 model whose finer levels are zero gives level 0's prediction on the image grid (level 0
    // a smooth function of a blob image; 0.025 (0.017 measured): two more trilinear resamplings).
    const code = [
      'import sys, numpy as np, torch',
      'sys.path.insert(0, sys.argv[1])',
      'from patchwork_net import Patchwork, level_logits',
      'from patchwork_patches import Volume, default_scheme',
      'from patchwork_apply import predict',
      'torch.manual_seed(0)',
      'x = torch.rand(2, 1, 8, 8, 8)',
      'parent = torch.softmax(torch.randn(2, 3, 8, 8, 8), 1)',
      'child = lambda m, level: torch.softmax(level_logits(m, level, torch.cat([x, parent], 1)), 1)',
      'fresh = Patchwork(1, 3, 3, [4, 8], "residual")',
      'zeroed = Patchwork(1, 3, 3, [4, 8], "residual")',
      'plain = Patchwork(1, 3, 3, [4, 8], "plain")',
      'for m in (zeroed, plain):',
      '    for net in list(m.levels)[1:]:',
      '        for p in net.parameters(): torch.nn.init.zeros_(p)',
      'fresh_d = max(float((child(fresh, k) - parent).abs().max()) for k in (1, 2))',
      'zero_d = max(float((child(zeroed, k) - parent).abs().max()) for k in (1, 2))',
      'plain_d = float((child(plain, 1) - 1 / 3).abs().max())',
      'class Smooth(torch.nn.Module):',
      '    def forward(self, x): return torch.cat([4 * x - 2, 0 * x, 2 - 4 * x], 1)',
      'shape = (24, 20, 16)',
      'g = np.stack(np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij"))',
      'volume = Volume(np.exp(-2 * (g ** 2).sum(0))[None].astype(np.float32))',
      'zeroed.levels[0] = Smooth()',
      'with torch.no_grad():',
      '    top = Patchwork(1, 3, 1, [4, 8], "residual")',
      '    top.levels[0] = Smooth()',
      '    alone = predict(top, volume, default_scheme(1, 16, 0.5), 3, 1)',
      '    deep = predict(zeroed, volume, default_scheme(3, 16, 0.5), 3, 1)',
      'through = float((deep - alone).abs().max())',
      'print(fresh_d, zero_d, plain_d, through, file=sys.stderr)',
      'print(fresh_d < 1e-5, zero_d < 1e-5, plain_d < 1e-6, through < 0.025)',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe('True True True True');
  });

  it('applies a model saved before the parent option as a plain one, and a residual one as residual', () => {
    // A model_patchwork.json whose network block has no `parent` (every model trained before
    // 2026-12-04) is rebuilt plain: patchwork_apply.py as a process gives the probabilities of the plain
    // network; the same weights under parent=residual give others, and the provenance names the scheme.
    const code = [
      'import sys, os, json, subprocess, tempfile, numpy as np, torch, nibabel as nib',
      'lib = sys.argv[1]',
      'sys.path.insert(0, lib)',
      'from patchwork_common import MODEL_FORMAT, sha256_of',
      'from patchwork_net import Patchwork, build, network_description',
      'from patchwork_patches import Volume, default_scheme',
      'from patchwork_apply import predict',
      'torch.manual_seed(1)',
      'folder = tempfile.mkdtemp()',
      'model = Patchwork(1, 2, 2, [4, 8], "plain")',
      'for net in model.levels:',
      '    torch.nn.init.normal_(net.head.weight, std=0.5)',
      'weights = os.path.join(folder, "weights.pt")',
      'torch.save(model.state_dict(), weights)',
      'network = network_description(1, 2, 2, [4, 8], "plain")',
      'del network["parent"]',
      'scheme = default_scheme(2, 8, 0.5)',
      'description = {"format": MODEL_FORMAT, "scheme": scheme, "network": network, "contrasts": [{"index": 0, "name": "t1"}],',
      '               "labels": {"values": [0, 1]}, "weights": {"file": "weights.pt", "sha256": sha256_of(weights)}}',
      'image = np.random.default_rng(0).random((20, 16, 12)).astype(np.float32) + 0.5',
      'nib.save(nib.Nifti1Image(image, np.eye(4)), os.path.join(folder, "t1.nii.gz"))',
      'def apply(parent):',
      '    d = json.loads(json.dumps(description))',
      '    if parent: d["network"]["parent"] = parent',
      '    with open(os.path.join(folder, "model_patchwork.json"), "w") as f: json.dump(d, f)',
      '    out = os.path.join(folder, f"p-{parent}.nii.gz")',
      '    done = subprocess.run([sys.executable, os.path.join(lib, "patchwork_apply.py"), "--model", os.path.join(folder, "model_patchwork.json"),',
      '                           "--contrasts", os.path.join(folder, "t1.nii.gz"), "--output", out, "--provenance", out + ".json", "--type", "probabilities"],',
      '                          capture_output=True, text=True)',
      '    assert done.returncode == 0, done.stderr',
      '    return np.asarray(nib.load(out).dataobj), json.load(open(out + ".json"))["parent"]',
      'old, old_parent = apply(None)',
      'residual, residual_parent = apply("residual")',
      'rebuilt = build(network)',
      'rebuilt.load_state_dict(torch.load(weights))',
      'with torch.no_grad():',
      '    expected = np.moveaxis(predict(rebuilt, Volume(image[None] / np.percentile(image, 99)), scheme, 2, 1).numpy(), 0, -1)',
      'print(rebuilt.parent, old_parent, residual_parent, float(np.abs(old - expected).max()) < 1e-5,',
      '      float(np.abs(residual - expected).max()) > 0.01)',
    ].join('\n');
    const done = spawnSync(PYTHON, ['-c', code, join(BUNDLED_LIBRARY_DIR, 'segmentation')], {
      encoding: 'utf8',
    });
    expect(done.stderr).not.toMatch(/Error/);
    expect(done.stdout.trim()).toBe('plain plain residual True True');
  });
});
