import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/catalog.js';
import { findProject } from '../../src/catalog/project-store.js';
import { recordMeasures } from '../../src/measures/measure-store.js';
import { runFilter } from '../../src/selection/run-filter.js';
import { parseFilter } from '../../src/selection/parse-filter.js';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, screenshot } from './ui-steps.js';
import { cohort, startWebServer, type WebServer } from './web-server.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

/** The known dataset: fa_mean per study, 0.4 + study index / 100 for patients, 0.6 + ... for controls. */
interface Known {
  readonly tsv: string;
  readonly dots: number;
  /** Rows of the profile summary: three nodes per group present in the two studies with a table. */
  readonly profileRows: number;
}

/**
 * Recorded measures (through the measures store, as `cohort record` in a job writes them), a tract
 * profile table in two studies and a model file in an analysis folder; then the catalog is rescanned.
 */
function prepareKnownData(config: Parameters<typeof openCatalog>[0]): Known {
  const catalog = openCatalog(config);
  try {
    const project = findProject(catalog.db, undefined);
    const studies = runFilter(catalog.db, project, parseFilter(''));
    const patients = new Set(
      runFilter(catalog.db, project, parseFilter('PTAG:patient')).map((s) => s.studyId),
    );
    const values = studies.map((s, i) => ({
      subjectId: s.subjectId,
      studyId: s.studyId,
      key: 'fa_mean',
      value: (patients.has(s.studyId) ? 0.4 : 0.6) + i / 100,
    }));
    recordMeasures(catalog.db, project.id, values);
    const header = 'subject\tstudy\tkey\tvalue\tgroup\n';
    const tsv =
      header +
      studies
        .map(
          (s, i) =>
            `${s.pid}\t${s.sid}\tfa_mean\t${values[i]?.value}\t${patients.has(s.studyId) ? 'patient' : 'control'}\n`,
        )
        .join('');
    studies.slice(0, 2).forEach((s, i) => {
      mkdirSync(join(s.folder, 'tracts'), { recursive: true });
      const rows = [0, 1, 2].map(
        (node) => `${s.pid}\t${s.sid}\tAF_L\tFA\t${node}\t${0.3 + node / 10 + i / 100}`,
      );
      const whole = `${s.pid}\t${s.sid}\tAF_L\tlength_mean\t\t80`; // no node: not a profile row
      writeFileSync(
        join(s.folder, 'tracts', 'AF_L_profile.tsv'),
        ['subject\tstudy\tbundle\tmeasure\tnode\tvalue', ...rows, whole, ''].join('\n'),
      );
    });
    const model = join(project.root, project.analysisFolder, 'models', 'stroke');
    mkdirSync(model, { recursive: true });
    writeFileSync(
      join(model, 'model_patchwork.json'),
      JSON.stringify({ trained_epochs: 3, trainloss_hist: [1, 0.5, 0.3], validloss_hist: [1.2, 0.7, null] }),
    );
    const groups = new Set(studies.slice(0, 2).map((s) => patients.has(s.studyId)));
    return { tsv, dots: studies.length, profileRows: 3 * groups.size };
  } finally {
    catalog.close();
  }
}

/** The plots page in real Chromium on a known dataset: what is drawn, and what the downloads hold. */
describe('plots in the browser', () => {
  let web: WebServer;
  let chrome: Chromium;
  let known: Known;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({
      demoSubjects: 4,
      prepare: async (config) => {
        known = prepareKnownData(config);
        await cohort(config, ['rescan']);
      },
    });
    chrome = await launchChromium(errors);
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it('draws measures per group, tract profiles and loss curves, and downloads SVG, PNG and TSV', async () => {
    const page = chrome.page;
    page.setDefaultTimeout(30_000);
    await page.goto(`${web.url}/`);
    await logIn(page);
    await goTo(page, 'Plots');
    await page.getByRole('button', { name: 'Plot', exact: true }).click();
    const figure = page.getByRole('figure', { name: /measures-fa_mean plot/ });
    await eventually(() => figure.locator('svg circle').count()).toBe(known.dots);
    const ticks = await figure.locator('svg g[aria-label="x-axis tick label"] text').allTextContents();
    expect(ticks).toEqual(['control', 'patient']);

    const download = async (label: string): Promise<Buffer> => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        figure.getByRole('button', { name: label }).click(),
      ]);
      return readFileSync((await file.path()) ?? '');
    };
    expect((await download('Download data (TSV)')).toString('utf8')).toBe(known.tsv);
    const svg = (await download('Download SVG')).toString('utf8');
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg[^>]* xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<circle/g)).toHaveLength(known.dots);
    const png = await download('Download PNG');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    await screenshot(page, 'plots-measures');

    // Profiles: two studies' tables; the mean line per group has three nodes.
    await page.getByLabel('Plot kind').selectOption('profiles');
    await page.getByRole('button', { name: 'Plot', exact: true }).click();
    const profiles = page.getByRole('figure', { name: /profiles-FA plot/ });
    await eventually(() => profiles.getByText(`${known.profileRows} rows`).count()).toBe(1);
    expect(await profiles.locator('svg path').count()).toBeGreaterThan(0);
    await screenshot(page, 'plots-profiles');

    // Training curves: train (3 epochs) and validation (2, the null skipped).
    await page.getByLabel('Plot kind').selectOption('losses');
    await page.getByRole('button', { name: 'Plot', exact: true }).click();
    const losses = page.getByRole('figure', { name: /losses plot/ });
    await eventually(() => losses.getByText('5 rows').count()).toBe(1);
    const lossTsv = (
      await (async () => {
        const [file] = await Promise.all([
          page.waitForEvent('download'),
          losses.getByRole('button', { name: 'Download data (TSV)' }).click(),
        ]);
        return readFileSync((await file.path()) ?? '', 'utf8');
      })()
    )
      .trim()
      .split('\n');
    expect(lossTsv).toEqual([
      'model\tepoch\tsplit\tloss',
      'ANALYSIS#models/stroke/model_patchwork.json\t1\ttrain\t1',
      'ANALYSIS#models/stroke/model_patchwork.json\t2\ttrain\t0.5',
      'ANALYSIS#models/stroke/model_patchwork.json\t3\ttrain\t0.3',
      'ANALYSIS#models/stroke/model_patchwork.json\t1\tvalidation\t1.2',
      'ANALYSIS#models/stroke/model_patchwork.json\t2\tvalidation\t0.7',
    ]);
    await screenshot(page, 'plots-losses');
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
  });
});
