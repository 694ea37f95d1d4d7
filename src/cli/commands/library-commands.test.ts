import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolve-config.js';
import { tempDir } from '../../jobs/test-fixture.js';
import { runCli } from '../run-cli.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const config = resolveConfig({ home: tempDir('library-cli') }, {});
  const code = await runCli(argv, config, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('cohort library', () => {
  it('lists every predefined job with its tool', async () => {
    const { code, out } = await cli('library', 'list');
    expect(code).toBe(0);
    expect(out).toMatch(/^ID\s+NAME\s+TOOL$/m);
    expect(out).toMatch(/^registration\/nonlinear\s+Nonlinear registration .*MRtrix3 3\.0\.3/m);
    const json = JSON.parse((await cli('library', 'list', '--json')).out) as { id: string }[];
    expect(json.map((job) => job.id)).toContain('connectome/tck2connectome');
  });

  it('shows a job: description, tool, arguments with defaults and help', async () => {
    const { code, out } = await cli('library', 'show', 'atlas/to-subject');
    expect(code).toBe(0);
    expect(out).toContain('Tool:     MRtrix3 3.0.3');
    expect(out).toMatch(
      /^atlas\s+OPTION\s+aal \(aal, jhu-wm, harvard-oxford, brodmann\)\s+The mricron-data atlas/m,
    );
    expect(out).toMatch(/^f3\s+FILE\s+atlas\*\.nii\* in ANALYSIS#atlases \(optional\)/m);
    expect(out).toMatch(/^o1\s+OUT\s+atlas\/atlas_in_subject\.nii\.gz TAG\(atlas\)/m);
    expect(out).not.toContain('Level:');
  });

  it('says which jobs are group-level', async () => {
    const { code, out } = await cli('library', 'show', 'tracts/cohort-table');
    expect(code).toBe(0);
    expect(out).toContain(
      'Level:    group (runs once over all items; use it with "level": "group" in a batch)',
    );
    expect(out).toMatch(/^f1\s+FILE\s+tractometry\/\*\.tsv\s+Each study's tract tables/m);
  });

  it('names the known ids for an unknown one', async () => {
    const { code, err } = await cli('library', 'show', 'registration/warp');
    expect(code).toBe(1);
    expect(err).toContain("No predefined job 'registration/warp'");
    expect(err).toContain('registration/linear');
  });
});
