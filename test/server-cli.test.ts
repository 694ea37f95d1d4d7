import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

const PASSWORD = 'correct horse battery';

describe('cohort serve, user and token commands', () => {
  it('bootstraps an admin, grants a role, creates a token and serves the API with it', async () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '2'], env).code).toBe(0);
    const add = runCohort(['user', 'add', 'ana'], env, { input: `${PASSWORD}\n` });
    expect(add.stdout, add.stderr).toContain("User 'ana' added (server admin).");
    expect(runCohort(['user', 'add', 'ben'], env, { input: 'short\n' }).code).toBe(2);
    expect(runCohort(['user', 'add', 'ben'], env, { input: `${PASSWORD}\n` }).stdout).not.toContain('admin');
    expect(runCohort(['user', 'grant', 'ben', 'demo', 'read'], env).code).toBe(0);
    expect(runCohort(['user', 'grant', 'ben', 'demo', 'owner'], env).code).toBe(2);
    const token = runCohort(['token', 'create', '--user', 'ben'], env).stdout.trim();
    expect(token).toMatch(/^coh_/);

    const server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /on (http:\/\/\S+) /.exec(out);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const projects = await fetch(`${url}/api/projects`, { headers: { Authorization: `Bearer ${token}` } });
      expect(await projects.json()).toMatchObject([{ name: 'demo', role: 'read' }]);
      const subjects = await fetch(`${url}/api/projects/demo/subjects?limit=1`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(await subjects.json()).toMatchObject({ total: 2, items: [{ pid: expect.any(String) }] });
      expect((await fetch(`${url}/api/projects`)).status).toBe(401);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });

  it('makes the demo user of npm start once: a generated password that logs in, then leaves it alone', async () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '1'], env).code).toBe(0);
    const first = runCohort(['user', 'add', 'demo', '--admin', '--generate', '--if-missing'], env);
    expect(first.code, first.stderr).toBe(0);
    const password = /Password \(shown this once\): (\S+)/.exec(first.stdout)?.[1] ?? '';
    expect(password).toMatch(/^[\w-]{24}$/);
    const again = runCohort(['user', 'add', 'demo', '--admin', '--generate', '--if-missing'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("User 'demo' exists");
    expect(again.stdout).not.toContain('Password');
    const { openDatabase } = await import('../src/db/open-database.js');
    const { findUser, passwordHashOf } = await import('../src/users/user-store.js');
    const { verifyPassword } = await import('../src/users/passwords.js');
    const db = openDatabase(join(env.COHORT_HOME, 'cohort.db'), { busyTimeoutMs: 5000 });
    try {
      const user = findUser(db, 'demo');
      expect(user).toMatchObject({ name: 'demo', admin: true });
      expect(await verifyPassword(password, passwordHashOf(db, user?.id ?? 0) ?? '')).toBe(true);
    } finally {
      db.close();
    }
  });
});
