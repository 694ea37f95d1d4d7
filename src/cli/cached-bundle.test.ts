import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCachedBundle } from './cached-bundle.js';

/** A bundle as esbuild writes one (`"use strict"` first) that reports what it saw; `tag` varies it. */
function writeBundle(file: string, tag: string): void {
  writeFileSync(
    file,
    `"use strict";
exports.tag = ${JSON.stringify(tag)};
exports.meta = __import_meta_url;
exports.strict = (function () { return this === undefined; })();
exports.sep = require('node:path').sep;
exports.name = __filename;
`,
  );
}

describe('loadCachedBundle', () => {
  it('runs a CommonJS bundle in strict mode, then from the code cache it wrote at exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-bundle-'));
    const file = join(dir, 'x.bundle.cjs');
    writeBundle(file, 'one');
    const exits: (() => void)[] = [];
    const first = loadCachedBundle(file, 'file:///x.bundle.js', (write) => exits.push(write));
    expect(first?.exports).toEqual({
      tag: 'one',
      meta: 'file:///x.bundle.js',
      strict: true,
      sep: '/',
      name: file,
    });
    expect(first?.usedCache).toBe(false);
    expect(exits).toHaveLength(1);
    exits[0]!(); // the process exits: the cache is written beside the bundle
    expect(readFileSync(`${file}.v8-cache`).length).toBeGreaterThan(0);

    const second = loadCachedBundle(file, 'file:///x.bundle.js', (write) => exits.push(write));
    expect(second?.usedCache).toBe(true);
    expect(second?.exports).toMatchObject({ tag: 'one' });
    expect(exits).toHaveLength(1); // nothing to write again
  });

  it('never runs the cache of an older bundle, even one of the same length, nor a damaged one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-bundle-'));
    const file = join(dir, 'x.bundle.cjs');
    writeBundle(file, 'one');
    let write = (): void => undefined;
    loadCachedBundle(file, 'file:///x.js', (w) => (write = w));
    write();
    // Rebuilt: V8 checks only the source's length, which is the same here.
    writeBundle(file, 'two');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const rebuilt = loadCachedBundle(file, 'file:///x.js', (w) => (write = w));
    expect(rebuilt?.exports).toMatchObject({ tag: 'two' });
    expect(rebuilt?.usedCache).toBe(false);

    // Another source again: V8 keeps what this process compiled, and would not even look at the cache.
    writeBundle(file, 'six');
    utimesSync(file, new Date(Date.now() + 7000), new Date(Date.now() + 7000));
    writeFileSync(`${file}.v8-cache`, 'not a code cache');
    utimesSync(`${file}.v8-cache`, new Date(Date.now() + 9000), new Date(Date.now() + 9000));
    const damaged = loadCachedBundle(file, 'file:///x.js', (w) => (write = w));
    expect(damaged?.exports).toMatchObject({ tag: 'six' });
    expect(damaged?.usedCache).toBe(false);
  });

  it('says there is no bundle when the file is missing', () => {
    expect(loadCachedBundle(join(tmpdir(), 'no-such-bundle.cjs'), 'file:///x.js')).toBeUndefined();
  });
});
