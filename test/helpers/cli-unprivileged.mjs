// Runs `cohort ARGS` as the unprivileged user `nobody` (root may write anywhere, so a read-only
// COHORT_HOME only shows as another user). The modules load first, as root: the checkout itself need
// not be readable by nobody.
import { resolveConfig } from '../../dist/config/resolve-config.js';
import { runCli } from '../../dist/cli/run-cli.js';

const NOBODY = 65534;
if (process.getuid?.() === 0) {
  process.setgid(NOBODY);
  process.setuid(NOBODY);
}
process.exitCode = await runCli(process.argv.slice(2), resolveConfig(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
