/**
 * A viewer selection saved as a batch: one BASH job that runs `cohort tracts select` with the recipe
 * on the same tract file of every study, so the selection drawn on one subject is repeated over the
 * cohort. The recipe travels as a STRING argument (data, never shell text) and is written to a temporary
 * file. Pure code: the web app builds the batch and saves it through the batch API.
 */

/** The recipe rules the viewer makes (spheres only: masks would need a path per study). */
export interface SphereRule {
  readonly kind: 'include' | 'exclude';
  readonly sphere: readonly [number, number, number, number];
}

/** What a saved batch can hold: sphere rules and ordered sphere waypoints. */
export type RecipeRule =
  | SphereRule
  | {
      readonly kind: 'ordered';
      readonly regions: readonly { readonly sphere: readonly [number, number, number, number] }[];
    };

/** Options of {@link recipeBatch}. */
export interface RecipeBatchOptions {
  /** The batch name (also names the output, `tracts/<name>.tck`). */
  readonly name: string;
  /** The tract file's path inside its study folder (`dwi/wb.tck`): the FILE argument's pattern. */
  readonly tractPattern: string;
  readonly rules: readonly RecipeRule[];
}

/** The batch JSON (validated by src/batches/batch-definition.ts when it is saved). */
export function recipeBatch(options: RecipeBatchOptions): Record<string, unknown> {
  const slug = options.name.replace(/[^\w.-]+/g, '_') || 'selection';
  return {
    name: options.name,
    level: 'study',
    jobs: [
      {
        name: `select ${options.name}`,
        language: 'bash',
        script: [
          'recipe=$(mktemp)',
          'trap \'rm -f "$recipe"\' EXIT',
          'printf \'%s\' "$s1" > "$recipe"',
          'mkdir -p "$(dirname "$o1")"',
          'cohort tracts select "$f1" "$o1" --recipe "$recipe"',
        ].join('\n'),
        args: [
          { type: 'FILE', name: 'f1', patterns: [options.tractPattern], ref: { kind: 'current' } },
          {
            type: 'OUT',
            name: 'o1',
            path: `tracts/${slug}.tck`,
            ref: { kind: 'current' },
            tags: ['selection'],
          },
          { type: 'STRING', name: 's1', value: JSON.stringify({ rules: options.rules }) },
        ],
      },
    ],
  };
}
