#!/usr/bin/env bash
# Bundles the in-job CLI (dist/cli/lean-cli.js and what it imports: `cohort add/select/tag`) into one
# file, dist/cli/lean-cli.bundle.js, which dist/cli/main.js loads for those commands. One file instead
# of some 35 ES modules halves the CPU time of an in-job `cohort add` (docs/benchmarks.md, "scale").
# better-sqlite3 stays external: it is a native addon found through node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
esbuild dist/cli/lean-cli.js --bundle --platform=node --format=esm --target=node20 \
  --external:better-sqlite3 --outfile=dist/cli/lean-cli.bundle.js --log-level=warning
