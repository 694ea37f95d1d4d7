#!/usr/bin/env bash
# Bundles the entry points that are timed as whole processes into one file each, beside their modules:
# - dist/cli/lean-cli.bundle.js: the in-job CLI (`cohort add/select/tag`), loaded by dist/cli/main.js;
# - dist/cli/tracts-cli.bundle.js: `cohort tracts ...`, timed against MRtrix3 (docs/benchmarks.md, "Tracts");
# - dist/catalog/indexer/scan-worker.bundle.js: an index's scan thread, started by run-scan-threads.js.
# - dist/qc/thumbnail-worker.bundle.js: a QC thumbnail thread, started by thumbnail-pool.js.
# - dist/cli/runner-cli.bundle.cjs: `cohort run/rerun/resume`, timed against `xargs` (docs/benchmarks.md,
#   "Local runner"); CommonJS, for the V8 code cache Node 20 has only for scripts (src/cli/cached-bundle.ts,
#   which passes `__import_meta_url`: a banner would precede "use strict" and leave it in sloppy mode);
#   its modules find the installation through config/install-root.ts, not their place.
# Loading one file instead of a few dozen ES modules halves the CPU time of an in-job `cohort add`
# (docs/benchmarks.md, "scale"). Each falls back to the modules when their bundle is absent.
# better-sqlite3 stays external: it is a native addon found through node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
for entry in dist/cli/lean-cli dist/cli/tracts-cli dist/catalog/indexer/scan-worker dist/qc/thumbnail-worker; do
  esbuild "$entry.js" --bundle --platform=node --format=esm --target=node20 \
    --external:better-sqlite3 --outfile="$entry.bundle.js" --log-level=warning
done
esbuild dist/cli/runner-cli.js --bundle --platform=node --format=cjs --target=node20 \
  --external:better-sqlite3 --outfile=dist/cli/runner-cli.bundle.cjs --log-level=warning \
  --define:import.meta.url=__import_meta_url
