import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownPaths } from '../../catalog/own-paths.js';
import { checkImportSource, type ImportSourceRules } from './import-source.js';

const base = mkdtempSync(join(tmpdir(), 'cohort-import-source-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const dir = (...parts: string[]): string => {
  const path = join(base, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
};
const inbox = dir('inbox');
const other = dir('other project');
const rules: ImportSourceRules = {
  admin: false,
  importRoots: [inbox],
  own: ownPaths({ home: dir('home'), databasePath: join(base, 'home', 'cohort.db') }),
  hiddenRoots: [other],
};
const refusal = (source: string, r: ImportSourceRules = rules): string => {
  try {
    checkImportSource(source, r);
  } catch (e) {
    return (e as { code: string; message: string; hint: string }).code + ': ' + String((e as Error).message);
  }
  return 'allowed';
};

describe('checkImportSource', () => {
  it('allows folders inside an import root, by their real path', () => {
    const scan = dir('inbox', 'scan 1');
    expect(checkImportSource(scan, rules)).toBe(scan);
    expect(checkImportSource(join(inbox, 'scan 1', '..', 'scan 1'), rules)).toBe(scan);
  });

  it('refuses what leads out of the roots: elsewhere, .., a link, a hidden project, Cohort own folders', () => {
    expect(refusal(dir('elsewhere'))).toMatch(/^PATH_OUTSIDE_ROOT: .*not inside the folders/);
    expect(refusal(join(inbox, '..', 'elsewhere'))).toMatch(/not inside/);
    symlinkSync(dir('elsewhere'), join(inbox, 'link'));
    expect(refusal(join(inbox, 'link'))).toMatch(/not inside/);
    expect(refusal(dir('other project', 'P1'), { ...rules, admin: true })).toMatch(/may not read/);
    expect(refusal(dir('home', 'runs'), { ...rules, admin: true })).toMatch(/Cohort's own folder/);
    expect(refusal(base, { ...rules, admin: true })).toMatch(/Cohort's own folder/);
  });

  it('without import roots, only server admins import from the web', () => {
    expect(refusal(dir('inbox', 'scan 2'), { ...rules, importRoots: [] })).toMatch(/only to server admins/);
    expect(refusal(dir('elsewhere'), { ...rules, admin: true })).toBe('allowed');
  });
});
