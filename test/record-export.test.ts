import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../src/catalog/catalog.js';
import { findProject } from '../src/catalog/project-store.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { listMeasures } from '../src/measures/measure-store.js';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `cohort record` inside jobs (the lean in-job CLI: the job's own study, its task noted) and
// `cohort export` reading it back with tags and file metadata, as TSV and JSON, through the built CLI.

const T1 = ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'];

interface Exported {
  project: string;
  subjects: {
    subject: string;
    tags: string[];
    measures: Record<string, number>;
    studies: {
      study: string;
      tags: string[];
      measures: Record<string, number>;
      files: { path: string; size: number; tags: string[] }[];
    }[];
  }[];
}

describe('cohort record and cohort export', () => {
  it('stores numbers jobs record per study with their task, and exports them with tags and files', () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '2'], env).code).toBe(0);
    const batch = {
      name: 'measure',
      level: 'study',
      jobs: [
        {
          name: 'T1 size',
          language: 'bash',
          script: [
            'cohort record t1_bytes "$(wc -c < "$f1")"',
            'printf \'{"volume": {"gm": 512.5, "wm": "430"}}\' > m.json',
            'cohort record --file m.json',
          ].join('\n'),
          args: [{ type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } }],
        },
      ],
    };
    const path = join(dir, 'measure.json');
    writeFileSync(path, JSON.stringify(batch));
    const run = runCohort(['run', path], env);
    const ready = (
      JSON.parse(runCohort(['preview', path, '--json'], env).stdout) as {
        items: { item: string; runnable: boolean; study: { folder: string } | null }[];
      }
    ).items.filter((i) => i.runnable);
    expect(ready.length, run.stderr).toBeGreaterThan(1);
    const first = ready[0]!;
    const [pid = '', sid = ''] = first.item.split('#');
    // Outside a job: on a subject, and a refusal that names the problem.
    expect(runCohort(['record', 'age', '61', '--subject', pid], env).code).toBe(0);
    expect(runCohort(['tag', 'add', 'reviewed', first.item], env).code).toBe(0);
    const bad = runCohort(['record', 'fa mean', 'x', '--study', first.item], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Invalid measure key 'fa mean'/);
    const noTarget = runCohort(['record', 'x', '1'], env);
    expect(noTarget.stderr).toMatch(/No study or subject to record on/);

    // The store keeps which task wrote each number (what the QC plots show).
    const catalog = openCatalog(resolveConfig({ home: env.COHORT_HOME }, {}));
    const stored = listMeasures(catalog.db, findProject(catalog.db, 'demo'), first.item);
    catalog.close();
    expect(stored.map((r) => `${r.study ?? '-'}:${r.key}:${r.task ?? '-'}`)).toEqual([
      '-:age:-',
      `${sid}:t1_bytes:T1 size`,
      `${sid}:volume.gm:T1 size`,
      `${sid}:volume.wm:T1 size`,
    ]);

    const json = JSON.parse(runCohort(['export', first.item, '--format', 'json'], env).stdout) as Exported;
    expect(json.subjects).toHaveLength(1);
    const subject = json.subjects[0]!;
    expect(subject.measures).toEqual({ age: 61 });
    const study = subject.studies[0]!;
    expect(study.study).toBe(sid);
    expect(study.tags).toContain('reviewed');
    const t1 = study.files.find((f) =>
      T1.some((p) => new RegExp(p.replace(/\*/g, '.*').replace(/_/g, '.')).test(f.path)),
    );
    expect(study.measures).toEqual({ t1_bytes: t1?.size, 'volume.gm': 512.5, 'volume.wm': 430 });

    const tsv = runCohort(['export', first.item], env).stdout.trim().split('\n');
    expect(tsv[0]).toBe('subject\tstudy\tkey\tvalue');
    expect(tsv).toContain(`${pid}\t\tage\t61`);
    expect(tsv).toContain(`${pid}\t${sid}\ttag\treviewed`);
    expect(tsv).toContain(`${pid}\t${sid}\tvolume.gm\t512.5`);
    expect(tsv).toContain(`${pid}\t${sid}\tfile:${t1?.path ?? ''}:size\t${t1?.size ?? ''}`);
    // Every ready study has its numbers; the export of all of them agrees with the files.
    const out = join(dir, 'all.tsv');
    expect(runCohort(['export', '-o', out], env).code).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    expect(rows.filter((r) => r[2] === 't1_bytes')).toHaveLength(ready.length);
  }, 120_000);
});
