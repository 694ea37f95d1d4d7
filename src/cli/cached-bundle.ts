import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads a CommonJS bundle with V8's code cache. scripts/bundle-entries.sh builds
 * `runner-cli.bundle.cjs` with `import.meta.url` replaced by `__import_meta_url`, which this passes as
 * `importMetaUrl`. The cache, `<bundle>.v8-cache`, is written beside the bundle when the process exits,
 * so it holds the bundle's code as compiled by then, the functions a run compiled lazily included. Node
 * 20 has no code cache for ES modules (`module.enableCompileCache` came with Node 22). Measured on the
 * runner bundle (574 KB): 28 ms to load without, 15 ms with, before the functions compiled later.
 *
 * V8 checks that a cache fits its own version and flags, but of the source only its length: a cache
 * counts only when it is newer than the bundle, so a rebuilt bundle never runs an older one's code.
 * Where the install folder is read-only the cache is simply not written. Returns undefined when there
 * is no such bundle; what the bundle throws while it loads propagates. `atExit` is for tests.
 */
export function loadCachedBundle(
  file: string,
  importMetaUrl: string,
  atExit: (write: () => void) => void = (write) => process.once('exit', write),
): LoadedBundle | undefined {
  let source: string;
  let built: number;
  try {
    built = statSync(file).mtimeMs;
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const cacheFile = `${file}.v8-cache`;
  const cachedData = readCache(cacheFile, built);
  // The wrapper of Node's own CommonJS loader, so the bundle sees the usual module variables, and what
  // the build made of `import.meta.url`. The bundle's "use strict" opens the function body.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __import_meta_url) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, dirname(file), importMetaUrl);
  const usedCache = cachedData !== undefined && script.cachedDataRejected !== true;
  // At exit, not now: the cache then holds what this process compiled lazily as well.
  if (!usedCache) atExit(() => writeCache(cacheFile, () => script.createCachedData()));
  return { exports: module.exports, usedCache };
}

export interface LoadedBundle {
  readonly exports: unknown;
  /** Whether V8 took the cached code (else this process writes the cache when it exits). */
  readonly usedCache: boolean;
}

function readCache(cacheFile: string, built: number): Buffer | undefined {
  try {
    if (statSync(cacheFile).mtimeMs < built) return undefined;
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** Written beside and renamed into place: processes that load the bundle meanwhile read a whole one. */
function writeCache(cacheFile: string, data: () => Buffer): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data());
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only installation, or a full disk: the next process compiles again, as without a cache.
  }
}
