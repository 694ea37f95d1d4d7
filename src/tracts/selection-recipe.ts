import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { invalidInput } from '../errors/cohort-error.js';

/**
 * A streamline selection as JSON: rules that a streamline must all pass (so applying them one after the
 * other, chained, gives the same set). Example:
 * `{"rules":[{"kind":"include","sphere":[-30,-10,20,5]},{"kind":"exclude","mask":"csf.nii.gz"},
 *   {"kind":"include","sphere":[0,0,0,8],"endsOnly":true},{"kind":"ordered","regions":[...]},
 *   {"kind":"length","min":20,"max":250}]}`
 */
const sphere = z
  .tuple([z.number(), z.number(), z.number(), z.number().positive('radius must be positive')])
  .describe('x,y,z,r in mm');
const region = z.union([
  z.object({ sphere }).strict(),
  z.object({ mask: z.string().min(1, 'mask path is empty') }).strict(),
]);
const rule = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('include'),
      sphere: sphere.optional(),
      mask: z.string().optional(),
      endsOnly: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      kind: z.literal('exclude'),
      sphere: sphere.optional(),
      mask: z.string().optional(),
      endsOnly: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      kind: z.literal('ordered'),
      regions: z.array(region).min(2, 'give at least two regions in order'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('length'),
      min: z.number().nonnegative().optional(),
      max: z.number().positive().optional(),
    })
    .strict(),
]);
const recipeSchema = z.object({ rules: z.array(rule).min(1, 'give at least one rule') }).strict();

export type Region =
  { readonly sphere: readonly [number, number, number, number] } | { readonly mask: string };
export type SelectionRule =
  | { readonly kind: 'include' | 'exclude'; readonly region: Region; readonly endsOnly: boolean }
  | { readonly kind: 'ordered'; readonly regions: readonly Region[] }
  | { readonly kind: 'length'; readonly min?: number; readonly max?: number };
export interface SelectionRecipe {
  readonly rules: readonly SelectionRule[];
}

/**
 * Checks a recipe's JSON; mask paths are resolved against `baseDir` (the recipe file's folder).
 *
 * @throws CohortError INVALID_INPUT listing every problem with its field.
 */
export function parseSelectionRecipe(json: unknown, baseDir = process.cwd()): SelectionRecipe {
  const parsed = recipeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'recipe'}: ${i.message}`);
    throw invalidInput(
      `Bad selection recipe: ${problems.join('; ')}.`,
      'See `cohort tracts select --help` for the recipe format.',
      { problems },
    );
  }
  const toRegion = (
    r: { sphere?: readonly number[] | undefined; mask?: string | undefined },
    at: string,
  ): Region => {
    if ((r.sphere === undefined) === (r.mask === undefined)) {
      throw invalidInput(
        `Bad selection recipe: ${at} needs exactly one of "sphere" or "mask".`,
        'Example: {"kind":"include","sphere":[0,0,0,5]}',
      );
    }
    return r.sphere !== undefined
      ? { sphere: r.sphere as [number, number, number, number] }
      : { mask: resolve(baseDir, r.mask ?? '') };
  };
  const rules = parsed.data.rules.map((r, i): SelectionRule => {
    switch (r.kind) {
      case 'include':
      case 'exclude':
        return { kind: r.kind, region: toRegion(r, `rules.${i}`), endsOnly: r.endsOnly };
      case 'ordered':
        return { kind: 'ordered', regions: r.regions.map((g, j) => toRegion(g, `rules.${i}.regions.${j}`)) };
      case 'length':
        if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
          throw invalidInput(
            `Bad selection recipe: rules.${i} has min ${r.min} above max ${r.max}.`,
            'Swap them.',
          );
        }
        return {
          kind: 'length',
          ...(r.min === undefined ? {} : { min: r.min }),
          ...(r.max === undefined ? {} : { max: r.max }),
        };
    }
  });
  return { rules };
}

/** Reads a recipe file (mask paths relative to it). */
export function readSelectionRecipe(path: string): SelectionRecipe {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalidInput(
      `Cannot read selection recipe ${path}: ${(error as Error).message}.`,
      'Give a JSON file like {"rules":[...]}.',
    );
  }
  return parseSelectionRecipe(json, dirname(resolve(path)));
}

/** Parses `x,y,z,r` (the CLI's sphere syntax, as tckedit's). */
export function parseSphere(text: string): [number, number, number, number] {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length !== 4 || values.some((v) => !Number.isFinite(v)) || !((values[3] ?? 0) > 0)) {
    throw invalidInput(
      `Bad sphere '${text}'.`,
      'Give x,y,z,r in mm with a positive radius, e.g. -30,-12,18,5',
    );
  }
  return values as [number, number, number, number];
}

/** Single-quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function regionArg(region: Region): string {
  return 'sphere' in region ? region.sphere.join(',') : shellWord(region.mask);
}

/**
 * The MRtrix3 `tckedit` command(s) selecting the same streamlines. tckedit's `-ends_only` applies to
 * all its regions, so rules mixing ends-only and whole-streamline regions give two chained commands.
 */
export function tckeditCommand(recipe: SelectionRecipe, input: string, output: string): string {
  const whole: string[] = [];
  const ends: string[] = [];
  for (const rule of recipe.rules) {
    if (rule.kind === 'include' || rule.kind === 'exclude') {
      (rule.endsOnly ? ends : whole).push(`-${rule.kind}`, regionArg(rule.region));
    } else if (rule.kind === 'ordered') {
      for (const region of rule.regions) whole.push('-include_ordered', regionArg(region));
    } else if (rule.kind === 'length') {
      if (rule.min !== undefined) whole.push('-minlength', String(rule.min));
      if (rule.max !== undefined) whole.push('-maxlength', String(rule.max));
    }
  }
  const [inp, out] = [shellWord(input), shellWord(output)];
  if (ends.length === 0) return ['tckedit', inp, out, ...whole].join(' ');
  if (whole.length === 0) return ['tckedit', inp, out, ...ends, '-ends_only'].join(' ');
  const tmp = shellWord(`${output.replace(/\.tck$/i, '')}.step1.tck`);
  return `${['tckedit', inp, tmp, ...whole].join(' ')} && ${['tckedit', tmp, out, ...ends, '-ends_only'].join(' ')}`;
}
