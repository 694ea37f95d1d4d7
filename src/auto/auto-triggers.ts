import { invalidInput } from '../errors/cohort-error.js';

/**
 * What makes a rule look at a study, declared once (the SQL CHECK, the CLI and the web page read it):
 * - new: a study added after the rule (an import, a rescan, `cohort add`)
 * - tag: a study carrying a tag (`tag:qc_ok`), e.g. set after a manual check
 * - quiet: a study none of whose files changed for N minutes (`quiet:30`): the scanner is done with it
 */
export const AUTO_TRIGGERS = ['new', 'tag', 'quiet'] as const;
export type AutoTriggerKind = (typeof AUTO_TRIGGERS)[number];

export type AutoTrigger =
  | { readonly kind: 'new' }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'quiet'; readonly minutes: number };

const FORMS = "'new', 'tag:TAG' or 'quiet:MINUTES'";

/** Parses `new`, `tag:qc_ok`, `quiet:30`. */
export function parseTrigger(text: string): AutoTrigger {
  const [kind = '', value] = text.trim().split(/:(.*)/s, 2);
  if (kind === 'new' && value === undefined) return { kind: 'new' };
  if (kind === 'tag' && value !== undefined && /^[^\s,]+$/.test(value)) return { kind: 'tag', tag: value };
  if (kind === 'quiet' && value !== undefined && /^\d{1,6}$/.test(value) && Number(value) >= 1)
    return { kind: 'quiet', minutes: Number(value) };
  throw invalidInput(
    `Unknown trigger '${text}'.`,
    `Give ${FORMS}, e.g. --trigger new or --trigger quiet:30.`,
  );
}

/** The trigger as `parseTrigger` reads it. */
export function formatTrigger(trigger: AutoTrigger): string {
  switch (trigger.kind) {
    case 'new':
      return 'new';
    case 'tag':
      return `tag:${trigger.tag}`;
    case 'quiet':
      return `quiet:${trigger.minutes}`;
  }
}
