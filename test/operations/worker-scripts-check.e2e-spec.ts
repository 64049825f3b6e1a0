import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCRIPTS_DIR_ENV } from '@rdpfix/runbook';

/**
 * A worker deployed without its runbook scripts (or with one missing) must refuse to start with
 * a clear message. Before this check it took jobs and failed every remediation's first step,
 * retrying for minutes (a copied dist/ without libs/runbook/scripts ran 3,000 targets in 385 s
 * instead of 50). Runs the built worker (npm test builds first); it exits before any connection.
 */
describe('worker start-up: runbook scripts', () => {
  const root = path.resolve(__dirname, '..', '..');
  const main = path.join(root, 'dist', 'apps', 'worker', 'src', 'main.js');
  const scripts = path.join(root, 'libs', 'runbook', 'scripts');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rdpfix-scripts-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const start = (dir: string) =>
    spawnSync(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        [SCRIPTS_DIR_ENV]: dir,
        // Never reached: the check runs before anything connects.
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
        WORKER_HTTP_PORT: '0',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('an empty scripts directory: exit 1, naming what is missing', () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    const res = start(empty);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('rdpfix worker failed to start');
    expect(res.stderr).toContain('_common.ps1');
  });

  it('one script missing: exit 1, naming that script', () => {
    const partial = fs.mkdtempSync(path.join(tmp, 'partial-'));
    for (const f of fs.readdirSync(scripts)) if (f !== 'verify.ps1') fs.copyFileSync(path.join(scripts, f), path.join(partial, f));
    const res = start(partial);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('verify.ps1');
  });
});
