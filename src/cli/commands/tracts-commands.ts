import { invalidInput } from '../../errors/cohort-error.js';
import {
  convertTracts,
  mapTracts,
  parseSelectionRecipe,
  parseSphere,
  profileTracts,
  readSelectionRecipe,
  selectTracts,
  tractInfo,
  tractStats,
  type SelectionRule,
  bundleName,
  measureName,
  profileRows,
  rowIds,
  statsRows,
  writeTractTsv,
  type TractRow,
} from '../../tracts/index.js';
import type { CommandContext, CommandSpec, OptionSpec } from '../command-spec.js';
import { formatTable, visible } from '../format-table.js';

const str = (ctx: CommandContext, name: string): string | undefined => {
  const v = ctx.options[name];
  return typeof v === 'string' ? v : undefined;
};
const list = (ctx: CommandContext, name: string): string[] => {
  const v = ctx.options[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
};
const num = (ctx: CommandContext, name: string): number | undefined => {
  const v = str(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw invalidInput(`--${name} must be a number, not '${v}'.`);
  return n;
};
const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(7))) : 'NA');

/** Options naming where a per-item TSV goes and whose rows it holds. */
const TSV_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  tsv: {
    type: 'string',
    value: 'FILE',
    description: 'Also write rows (subject, study, bundle, measure, node, value) as TSV.',
  },
  item: {
    type: 'string',
    value: 'SUBJECT#STUDY',
    description: 'Ids for the TSV rows (default inside a job: its study).',
  },
  bundle: {
    type: 'string',
    value: 'NAME',
    description: 'Bundle name for the TSV rows (default: the file name).',
  },
};

function writeRows(
  ctx: CommandContext,
  input: string,
  make: (ids: ReturnType<typeof rowIds>) => TractRow[],
): void {
  const tsv = str(ctx, 'tsv');
  if (tsv === undefined) return;
  writeTractTsv(
    tsv,
    make(rowIds(str(ctx, 'item') ?? ctx.config.study, str(ctx, 'bundle') ?? bundleName(input))),
  );
}

export const tractsInfoCommand: CommandSpec = {
  name: 'tracts info',
  summary: 'Describe tract files (.tck, .trk, .trx): format, streamlines, points, grid, data fields.',
  args: [{ name: 'FILE', description: 'Tract files.', required: true, variadic: true }],
  options: {},
  examples: ['cohort tracts info AF_L.trk wb.tck', 'cohort tracts info bundle.trx --json'],
  run(ctx) {
    const infos = ctx.args.map((path) => tractInfo(path));
    if (ctx.json) return ctx.printJson(infos);
    ctx.print(
      formatTable(
        ['FILE', 'FORMAT', 'STREAMLINES', 'POINTS', 'BYTES', 'DATA'],
        infos.map((i) => [
          visible(i.path),
          i.format,
          String(i.count),
          String(i.points),
          String(i.bytes),
          [...i.dpp, ...i.dps].map((d) => d.name).join(','),
        ]),
      ),
    );
  },
};

export const tractsStatsCommand: CommandSpec = {
  name: 'tracts stats',
  summary:
    'Streamline count and lengths (as tckstats), and the mean of scalar images along streamlines (as tcksample -stat_tck mean).',
  args: [
    { name: 'FILE', description: 'Tract file (streamed: any size).', required: true },
    {
      name: 'SCALAR',
      description: 'Scalar NIfTI images (e.g. FA) to average along each streamline.',
      variadic: true,
    },
  ],
  options: {
    'per-streamline': {
      type: 'boolean',
      description: 'With --json: include each streamline’s length and scalar means.',
    },
    ...TSV_OPTIONS,
  },
  examples: [
    'cohort tracts stats AF_L.tck',
    'cohort tracts stats AF_L.tck fa.nii.gz --json',
    'cohort tracts stats AF_L.tck fa.nii.gz --tsv stats/AF_L.tsv',
  ],
  run(ctx) {
    const [input = '', ...scalars] = ctx.args;
    const perStreamline = ctx.options['per-streamline'] === true;
    const base = tractStats(input, {
      perStreamline,
      ...(scalars[0] === undefined ? {} : { scalar: scalars[0] }),
    });
    const more = scalars.slice(1).map((scalar) => tractStats(input, { scalar, perStreamline }));
    const all = [base, ...more];
    writeRows(ctx, input, (ids) => [
      ...statsRows(base, ids, scalars[0] === undefined ? undefined : measureName(scalars[0])),
      ...more.flatMap((s, i) =>
        statsRows(s, ids, measureName(scalars[i + 1] ?? '')).filter(
          (r) =>
            !['count', 'length_mean', 'length_median', 'length_std', 'length_min', 'length_max'].includes(
              r.measure,
            ),
        ),
      ),
    ]);
    if (ctx.json)
      return ctx.printJson({
        path: input,
        lengths: base.lengths,
        scalars: all.flatMap((s) => (s.scalar === undefined ? [] : [s.scalar])),
        ...(perStreamline ? { streamlines: all.map((s) => s.streamlines) } : {}),
      });
    const l = base.lengths;
    ctx.print(
      formatTable(
        ['COUNT', 'MEAN', 'MEDIAN', 'STD', 'MIN', 'MAX'],
        [[String(l.count), fmt(l.mean), fmt(l.median), fmt(l.std), fmt(l.min), fmt(l.max)]],
      ),
    );
    for (const s of all)
      if (s.scalar !== undefined)
        ctx.print(
          `${visible(s.scalar.image)}: mean ${fmt(s.scalar.mean)} (std ${fmt(s.scalar.std)}, min ${fmt(s.scalar.min)}, max ${fmt(s.scalar.max)}) over streamlines`,
        );
  },
};

/** A CLI region: numbers joined by commas are a sphere `x,y,z,r`, anything else a mask file. */
function region(text: string): { sphere: [number, number, number, number] } | { mask: string } {
  return /^[\s\d.,eE+-]+$/.test(text) && text.includes(',') ? { sphere: parseSphere(text) } : { mask: text };
}

export const tractsSelectCommand: CommandSpec = {
  name: 'tracts select',
  summary:
    'Keep the streamlines passing spheres, masks, ordered waypoints and length limits; prints the equivalent tckedit command.',
  args: [
    { name: 'INPUT', description: 'Tract file to select from.', required: true },
    { name: 'OUTPUT', description: 'Tract file to write (.tck, .trk or .trx).', required: true },
  ],
  options: {
    recipe: {
      type: 'string',
      value: 'FILE',
      description: 'JSON recipe {"rules":[...]} (kinds include, exclude, ordered, length).',
    },
    include: {
      type: 'string',
      multiple: true,
      value: 'x,y,z,r|MASK',
      description:
        'Keep streamlines with a point in this sphere (mm) or mask; write --include=-38,... when x is negative.',
    },
    exclude: {
      type: 'string',
      multiple: true,
      value: 'x,y,z,r|MASK',
      description: 'Drop streamlines with a point in this sphere or mask.',
    },
    'ends-only': { type: 'boolean', description: 'Test --include/--exclude against the two endpoints only.' },
    ordered: {
      type: 'string',
      multiple: true,
      value: 'x,y,z,r|MASK',
      description: 'Waypoints to pass in this order (give two or more).',
    },
    'min-length': { type: 'string', value: 'MM', description: 'Drop streamlines shorter than this.' },
    'max-length': { type: 'string', value: 'MM', description: 'Drop streamlines longer than this.' },
  },
  examples: [
    'cohort tracts select wb.tck af.tck --include=-38,-20,22,6 --include=-44,8,18,6 --exclude 0,0,0,10',
    'cohort tracts select wb.tck cst.trk --recipe cst-recipe.json --json',
  ],
  run(ctx) {
    const [input = '', output = ''] = ctx.args;
    const endsOnly = ctx.options['ends-only'] === true;
    const rules: SelectionRule[] = [];
    const file = str(ctx, 'recipe');
    if (file !== undefined) rules.push(...readSelectionRecipe(file).rules);
    const cli: unknown[] = [
      ...list(ctx, 'include').map((r) => ({ kind: 'include', ...region(r), endsOnly })),
      ...list(ctx, 'exclude').map((r) => ({ kind: 'exclude', ...region(r), endsOnly })),
      ...(list(ctx, 'ordered').length > 0
        ? [{ kind: 'ordered', regions: list(ctx, 'ordered').map(region) }]
        : []),
    ];
    const [min, max] = [num(ctx, 'min-length'), num(ctx, 'max-length')];
    if (min !== undefined || max !== undefined)
      cli.push({
        kind: 'length',
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
      });
    if (cli.length > 0) rules.push(...parseSelectionRecipe({ rules: cli }).rules);
    if (rules.length === 0)
      throw invalidInput(
        'No selection rule given.',
        'Give --include, --exclude, --ordered, --min-length/--max-length or --recipe.',
      );
    const result = selectTracts(input, output, { rules });
    if (ctx.json) return ctx.printJson({ ...result, output, rules });
    ctx.print(`kept ${result.kept} of ${result.input} streamlines in ${visible(output)}`);
    ctx.print(`MRtrix3 equivalent: ${result.tckedit}`);
  },
};

export const tractsMapCommand: CommandSpec = {
  name: 'tracts map',
  summary:
    'Visit (track density) or endpoint map on the grid of a reference NIfTI, vertex-based as tckmap -upsample 1.',
  args: [
    { name: 'INPUT', description: 'Tract file (streamed).', required: true },
    { name: 'REFERENCE', description: 'NIfTI image whose grid the map uses.', required: true },
    { name: 'OUTPUT', description: 'Map to write (.nii or .nii.gz).', required: true },
  ],
  options: {
    ends: {
      type: 'boolean',
      description: 'Map streamline endpoints (as tckmap -ends_only) instead of visits.',
    },
    densify: {
      type: 'string',
      value: 'N',
      description: 'Add N-1 points on each step before mapping (default 1: vertices only).',
    },
  },
  examples: [
    'cohort tracts map AF_L.tck t1.nii.gz af_density.nii.gz',
    'cohort tracts map wb.tck fa.nii.gz ends.nii --ends',
  ],
  run(ctx) {
    const [input = '', reference = '', output = ''] = ctx.args;
    const densify = num(ctx, 'densify') ?? 1;
    if (!Number.isInteger(densify) || densify < 1 || densify > 100)
      throw invalidInput(`--densify must be a whole number from 1 to 100, not ${densify}.`);
    const result = mapTracts(input, reference, output, {
      kind: ctx.options.ends === true ? 'ends' : 'visit',
      densify,
    });
    if (ctx.json) return ctx.printJson(result);
    ctx.print(
      `wrote ${visible(output)}: ${result.streamlines} streamlines, ${result.nonzeroVoxels} voxels hit, max ${result.max}`,
    );
  },
};

export const tractsProfileCommand: CommandSpec = {
  name: 'tracts profile',
  summary:
    'Along-tract profile of a scalar image: each point to its nearest of N centroid nodes, mean per node.',
  args: [
    { name: 'INPUT', description: 'A bundle (read whole).', required: true },
    { name: 'SCALAR', description: 'Scalar NIfTI image (e.g. FA).', required: true },
  ],
  options: {
    nodes: { type: 'string', value: 'N', description: 'Nodes along the bundle (default 100).' },
    measure: {
      type: 'string',
      value: 'NAME',
      description: 'Measure name for the TSV rows (default: the image file name).',
    },
    ...TSV_OPTIONS,
  },
  examples: [
    'cohort tracts profile AF_L.trk fa.nii.gz',
    'cohort tracts profile AF_L.trk fa.nii.gz --tsv profiles/AF_L_fa.tsv --measure FA',
  ],
  run(ctx) {
    const [input = '', scalar = ''] = ctx.args;
    const profile = profileTracts(input, scalar, num(ctx, 'nodes') ?? 100);
    writeRows(ctx, input, (ids) => profileRows(profile, ids, str(ctx, 'measure') ?? measureName(scalar)));
    if (ctx.json)
      return ctx.printJson({
        nodes: profile.nodes,
        values: [...profile.values],
        counts: [...profile.counts],
        centroid: [...profile.centroid],
      });
    ctx.print(
      formatTable(
        ['NODE', 'VALUE', 'POINTS'],
        [...profile.values].map((v, i) => [String(i), fmt(v), String(profile.counts[i] ?? 0)]),
      ),
    );
  },
};

export const tractsConvertCommand: CommandSpec = {
  name: 'tracts convert',
  summary:
    'Convert between .tck, .trk and .trx, keeping every point and the per-point and per-streamline data.',
  args: [
    { name: 'INPUT', description: 'Tract file.', required: true },
    { name: 'OUTPUT', description: 'Tract file to write; the extension picks the format.', required: true },
  ],
  options: {
    reference: {
      type: 'string',
      value: 'NIFTI',
      description: 'Grid for .trk/.trx output (default: the input’s, or 1 mm identity for .tck input).',
    },
    positions: {
      type: 'string',
      value: 'DTYPE',
      description: 'TRX positions: float16, float32 or float64 (default: as the input).',
    },
    float64: { type: 'boolean', description: 'Write TCK points as float64.' },
  },
  examples: [
    'cohort tracts convert AF_L.trk AF_L.tck',
    'cohort tracts convert wb.tck wb.trx --positions float16',
    'cohort tracts convert wb.tck wb.trk --reference t1.nii.gz',
  ],
  run(ctx) {
    const [input = '', output = ''] = ctx.args;
    const positions = str(ctx, 'positions');
    if (positions !== undefined && !['float16', 'float32', 'float64'].includes(positions)) {
      throw invalidInput(`--positions must be float16, float32 or float64, not '${positions}'.`);
    }
    const reference = str(ctx, 'reference');
    const count = convertTracts(input, output, {
      ...(reference === undefined ? {} : { reference }),
      ...(positions === undefined ? {} : { positions: positions as 'float16' | 'float32' | 'float64' }),
      ...(ctx.options.float64 === true ? { float64: true } : {}),
    });
    if (ctx.json) return ctx.printJson({ input, output, streamlines: count });
    ctx.print(`wrote ${count} streamlines to ${visible(output)}`);
  },
};

/** The `cohort tracts ...` commands, in help order. */
export const TRACTS_COMMANDS: readonly CommandSpec[] = [
  tractsInfoCommand,
  tractsStatsCommand,
  tractsSelectCommand,
  tractsMapCommand,
  tractsProfileCommand,
  tractsConvertCommand,
];
