import { entityTerm } from './file-conditions.js';
import { isCohortError, SyntaxErrorAt } from '../errors/cohort-error.js';
import {
  FILTER_HELP,
  FILTER_KEYWORDS,
  JOB_FILTER_STATES,
  type Filter,
  type FilterGroup,
  type FilterTerm,
  type JobFilterLetter,
} from './filter.js';
import { toLikePattern } from './like-pattern.js';
import { tokenizeTerms, type Token } from './tokenize-terms.js';

const KEYWORD = /^([A-Za-z]+):(.*)$/s;

/**
 * Parses filter-bar text such as `t1_tra/s0*.nii & STAG:control !P00`. Whitespace-only text gives
 * a filter with no groups (every study). Double quotes keep spaces inside a term.
 *
 * @throws SyntaxErrorAt pointing at a dangling `&`, an empty or unknown keyword, a lone `!`.
 */
export function parseFilter(text: string): Filter {
  const { source, tokens } = tokenizeTerms(text, { ampersand: true });
  const groups: FilterGroup[] = [];
  let group: FilterTerm[] = [];
  let lastAnd: Token | undefined;
  for (const token of tokens) {
    if (token.kind === 'and') {
      if (group.length === 0) throw dangling(source, token);
      groups.push(group);
      group = [];
      lastAnd = token;
    } else {
      group.push(parseTerm(source, token));
    }
  }
  if (group.length > 0) groups.push(group);
  else if (lastAnd !== undefined) throw dangling(source, lastAnd);
  return { source, groups };
}

function dangling(source: string, token: Token): SyntaxErrorAt {
  return new SyntaxErrorAt(source, token.position, '&', 'Dangling &: no term on one side', FILTER_HELP);
}

function parseTerm(source: string, token: Token): FilterTerm {
  const fail = (problem: string, hint = FILTER_HELP): never => {
    throw new SyntaxErrorAt(source, token.position, token.text, problem, hint);
  };
  const negated = token.text.startsWith('!');
  const body = negated ? token.text.slice(1) : token.text;
  if (body === '') fail("'!' needs a term after it");
  if (body.startsWith('!')) fail("Double negation '!!'");
  const base = { text: token.text, position: token.position, negated };
  const like = (value: string): string => {
    try {
      return toLikePattern(value, { trailingWildcard: true });
    } catch (error) {
      if (!isCohortError(error)) throw error;
      return fail(error.message.replace(/\.$/, ''));
    }
  };

  const entity = entityTerm(body);
  if (entity !== null) return { ...base, kind: 'entity', entity };
  const keyword = KEYWORD.exec(body);
  const name = keyword?.[1]?.toUpperCase();
  const value = keyword?.[2] ?? '';
  if (name !== undefined && (FILTER_KEYWORDS as readonly string[]).includes(name)) {
    if (value === '') fail(`Missing value after ${name}:`, `Write ${name}:VALUE, e.g. ${example(name)}.`);
    switch (name) {
      case 'JOB': {
        const letter = value.toLowerCase();
        if (!(letter in JOB_FILTER_STATES)) {
          fail(
            `Unknown job state '${value}'`,
            'Write JOB:q (queued), JOB:r (running), JOB:e (error) or JOB:s (suspended).',
          );
        }
        return { ...base, kind: 'job', state: letter as JobFilterLetter };
      }
      case 'STAG':
        return { ...base, kind: 'stag', like: like(value) };
      case 'PTAG':
        return { ...base, kind: 'ptag', like: like(value) };
      case 'FTAG':
        return { ...base, kind: 'ftag', like: like(value) };
      default:
        return { ...base, kind: 'sdesc', like: like(value) };
    }
  }
  // Subject and study ids never contain `/`, so a slash means a file path pattern.
  if (body.includes('/')) return { ...base, kind: 'file', like: like(body) };
  if (keyword !== null) fail(`Unknown keyword '${keyword[1]}:'`);
  return { ...base, kind: 'id', like: like(body) };
}

function example(keyword: string): string {
  return keyword === 'JOB' ? 'JOB:e' : keyword === 'SDESC' ? 'SDESC:MRT' : `${keyword}:control`;
}
