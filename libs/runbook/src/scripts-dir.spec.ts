import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunbookScriptError } from './errors';
import { findScriptsDir, scriptsDir, SCRIPTS_DIR_ENV } from './scripts-dir';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const expected = path.join(repoRoot, 'libs', 'runbook', 'scripts');

describe('findScriptsDir', () => {
  const saved = process.env[SCRIPTS_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[SCRIPTS_DIR_ENV];
    else process.env[SCRIPTS_DIR_ENV] = saved;
  });

  it('finds libs/runbook/scripts from the TypeScript sources', () => {
    delete process.env[SCRIPTS_DIR_ENV];
    expect(findScriptsDir(__dirname)).toBe(expected);
    expect(scriptsDir()).toBe(expected);
  });

  it('finds it from the compiled location dist/libs/runbook/src', () => {
    delete process.env[SCRIPTS_DIR_ENV];
    expect(findScriptsDir(path.join(repoRoot, 'dist', 'libs', 'runbook', 'src'))).toBe(expected);
  });

  it('fails clearly when there is none above', () => {
    delete process.env[SCRIPTS_DIR_ENV];
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rdpfix-nodir-'));
    try {
      expect(() => findScriptsDir(tmp)).toThrow(RunbookScriptError);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('honours the environment override, and checks it', () => {
    process.env[SCRIPTS_DIR_ENV] = expected;
    expect(findScriptsDir('/')).toBe(expected);
    process.env[SCRIPTS_DIR_ENV] = os.tmpdir();
    expect(() => findScriptsDir(__dirname)).toThrow(RunbookScriptError);
  });
});
