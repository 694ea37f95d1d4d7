import { entityTerm, type EntityCondition } from './file-conditions.js';
import { isCohortError, SyntaxErrorAt } from '../errors/cohort-error.js';
import { toLikePattern } from './like-pattern.js';
import {
  DEFAULT_FILE_SORT,
  FILE_SORT_KEYS,
  SELECTOR_TERMS_HELP,
  type FileSort,
  type FileSortKey,
  type Selector,
  type StudyPick,
  type StudyTerm,
  type TagCondition,
  type TagLevel,
} from './selector.js';
import { tokenizeTerms, type Token } from './tokenize-terms.js';

const TAG_PREFIXES: Readonly<Record<string, { level: TagLevel; negated: boolean }>> = {
  stag: { level: 'study', negated: false },
  notstag: { level: 'study', negated: true },
  ptag: { level: 'subject', negated: false },
  notptag: { level: 'subject', negated: true },
  tag: { level: 'file', negated: false },
  nottag: { level: 'file', negated: true },
};

// Letters then a colon: the shape of a keyword term. Anything else is a study term or a path.
const KEYWORD = /^([A-Za-z]+):(.*)$/s;
const NTH_CALL = /^nth\((.*)\)$/is;

/**
 * Parses a selector: argv words (one term each) or one string split on whitespace (double quotes keep
 * spaces). See `SELECTOR_TERMS_HELP` for the terms.
 *
 * Example: `parseSelector(['*#LATEST', 'stag:qc_ok', 'file:t1_mprage/*.nii', 'sort:-mtime', 'nth:1'])`.
 *
 * @throws SyntaxErrorAt pointing at the first invalid term, with the valid terms as hint.
 */
export function parseSelector(input: string | readonly string[]): Selector {
  const { source, tokens } = tokenizeTerms(input);
  const builder = new SelectorBuilder(source);
  for (const token of tokens) builder.add(token);
  return builder.build();
}

class SelectorBuilder {
  private readonly studies: StudyTerm[] = [];
  private readonly studyFilters: TagCondition[] = [];
  private readonly patterns: string[] = [];
  private readonly paths: string[] = [];
  private readonly fileTags: TagCondition[] = [];
  private readonly fileEntities: EntityCondition[] = [];
  private sort: FileSort | null = null;
  private nth: number | null = null;

  constructor(private readonly source: string) {}

  add(token: Token): void {
    const text = token.text;
    if (text.startsWith('/')) {
      if (text.includes('\0')) this.fail(token, 'A path cannot contain a NUL character');
      this.paths.push(text);
      return;
    }
    const call = NTH_CALL.exec(text);
    if (call !== null) {
      this.setNth(token, call[1] ?? '');
      return;
    }
    const entity = entityTerm(text);
    if (entity !== null) {
      this.fileEntities.push(entity);
      return;
    }
    const keyword = KEYWORD.exec(text);
    if (keyword === null) {
      this.studies.push(this.studyTerm(token));
      return;
    }
    const prefix = (keyword[1] ?? '').toLowerCase();
    const value = keyword[2] ?? '';
    const tagPrefix = TAG_PREFIXES[prefix];
    if (tagPrefix !== undefined) {
      if (value === '') {
        this.fail(token, `Empty tag after '${keyword[1]}:'`, `Write ${prefix}:TAG, e.g. ${prefix}:qc_ok.`);
      }
      if (value.includes('\0')) this.fail(token, 'A tag cannot contain a NUL character');
      const condition = { level: tagPrefix.level, tag: value, negated: tagPrefix.negated };
      (condition.level === 'file' ? this.fileTags : this.studyFilters).push(condition);
      return;
    }
    switch (prefix) {
      case 'file':
        this.patterns.push(this.pattern(token, value));
        return;
      case 'sort':
        this.setSort(token, value);
        return;
      case 'nth':
        this.setNth(token, value);
        return;
      default:
        this.fail(token, `Unknown prefix '${keyword[1]}:'`);
    }
  }

  build(): Selector {
    const hasFileTerms =
      this.patterns.length > 0 ||
      this.paths.length > 0 ||
      this.fileTags.length > 0 ||
      this.fileEntities.length > 0 ||
      this.sort !== null ||
      this.nth !== null;
    return {
      source: this.source,
      studies: this.studies,
      studyFilters: this.studyFilters,
      files: hasFileTerms
        ? {
            patterns: this.patterns,
            paths: this.paths,
            tags: this.fileTags,
            entities: this.fileEntities,
            sort: this.sort ?? DEFAULT_FILE_SORT,
            nth: this.nth,
          }
        : null,
    };
  }

  private studyTerm(token: Token): StudyTerm {
    const text = token.text;
    if (text.includes('/')) {
      this.fail(
        token,
        'A subject id cannot contain /',
        `For a file pattern write file:${text}; for one file give its absolute path.`,
      );
    }
    const hash = text.indexOf('#');
    const subject = hash < 0 ? text : text.slice(0, hash);
    if (subject === '')
      this.fail(token, 'Missing subject before #', 'Write PID#STUDY, or *#STUDY for every subject.');
    const subjectLike = this.pattern(token, subject);
    if (hash < 0) return { text, subjectLike, pick: { kind: 'all' } };
    const study = text.slice(hash + 1);
    const studyToken = { ...token, text: study, position: token.position + hash + 1 };
    if (study === '') this.fail(token, 'Missing study after #', 'Write PID#SID, PID#LATEST or PID#OLDEST.');
    return { text, subjectLike, pick: this.studyPick(studyToken) };
  }

  private studyPick(token: Token): StudyPick {
    // LATEST/OLDEST alone or followed by a sign are keywords; `latest_run` stays a study id.
    const keyword = /^(latest|oldest)(?:([-+])(.*))?$/is.exec(token.text);
    if (keyword === null) return { kind: 'pattern', like: this.pattern(token, token.text) };
    const kind = (keyword[1] ?? '').toLowerCase() === 'latest' ? 'latest' : 'oldest';
    const sign = keyword[2];
    if (sign === undefined) return { kind, offset: 0 };
    const wantedSign = kind === 'latest' ? '-' : '+';
    const digits = keyword[3] ?? '';
    if (sign !== wantedSign || !/^\d{1,6}$/.test(digits)) {
      this.fail(
        token,
        `Invalid ${kind.toUpperCase()} offset`,
        'Write LATEST, LATEST-1 (the second latest), LATEST-2...; OLDEST, OLDEST+1 (the second oldest)...',
      );
    }
    return { kind, offset: Number(digits) };
  }

  private setSort(token: Token, value: string): void {
    if (this.sort !== null) this.fail(token, 'sort: given twice', 'Give one sort: term.');
    const descending = value.startsWith('-');
    const key = (descending ? value.slice(1) : value).toLowerCase();
    if (!(FILE_SORT_KEYS as readonly string[]).includes(key)) {
      this.fail(
        token,
        `Unknown sort key '${value}'`,
        `Write sort:KEY or sort:-KEY (descending), KEY one of ${FILE_SORT_KEYS.join(', ')}.`,
      );
    }
    this.sort = { key: key as FileSortKey, descending };
  }

  private setNth(token: Token, value: string): void {
    if (this.nth !== null) this.fail(token, 'nth: given twice', 'Give one nth: term.');
    if (!/^-?\d{1,9}$/.test(value) || Number(value) === 0) {
      this.fail(
        token,
        `Invalid position '${value}'`,
        'nth:K counts from 1 (the first file); nth:-1 is the last.',
      );
    }
    this.nth = Number(value);
  }

  /** Converts a pattern, turning a pattern error into a syntax error at the term. */
  private pattern(token: Token, pattern: string): string {
    try {
      return toLikePattern(pattern);
    } catch (error) {
      if (!isCohortError(error)) throw error;
      return this.fail(token, error.message.replace(/\.$/, ''), error.hint);
    }
  }

  private fail(token: Token, problem: string, hint: string = SELECTOR_TERMS_HELP): never {
    throw new SyntaxErrorAt(this.source, token.position, token.text, problem, hint);
  }
}
