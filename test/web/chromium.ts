import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/install-test-deps.sh installs it); playwright-core only drives it. */
export const CHROMIUM = '/usr/bin/chromium';

// Quiet and deterministic: no sandbox (root in CI), no GPU, no QUIC, no first-run or background traffic.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

/** A Chromium with a fresh profile, and one page in it; `close` removes the profile. */
export interface Chromium {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless with a fresh `--user-data-dir` (Playwright passes the folder of a
 * persistent context as that flag); `webgl` turns on software WebGL2 for the viewer. Page errors and failed console messages are collected in `errors`.
 */
export async function launchChromium(
  errors: string[] = [],
  options: { readonly webgl?: boolean } = {},
): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'cohort-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // The viewer needs WebGL2: software rendering (SwiftShader), which Chromium now enables only on request.
    args: options.webgl === true ? [...ARGS.filter((a) => a !== '--disable-gpu'), ...WEBGL_ARGS] : ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
