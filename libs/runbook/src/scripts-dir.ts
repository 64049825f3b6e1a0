import * as fs from 'fs';
import * as path from 'path';
import { RunbookScriptError } from './errors';

/** Overrides the search (e.g. a container that ships the .ps1 files somewhere else). */
export const SCRIPTS_DIR_ENV = 'RDPFIX_RUNBOOK_SCRIPTS_DIR';

const RELATIVE = path.join('libs', 'runbook', 'scripts');
const MARKER = '_common.ps1';

let cached: string | undefined;

/**
 * Finds libs/runbook/scripts by walking up from `startDir`. Works from the TypeScript sources
 * (libs/runbook/src, under jest) and from the compiled output (dist/libs/runbook/src), because
 * both have the repository root, which holds libs/runbook/scripts, above them.
 */
export function findScriptsDir(startDir: string = __dirname): string {
  const fromEnv = process.env[SCRIPTS_DIR_ENV];
  if (fromEnv) {
    if (!fs.existsSync(path.join(fromEnv, MARKER))) {
      throw new RunbookScriptError(`${SCRIPTS_DIR_ENV}=${fromEnv} does not contain ${MARKER}`);
    }
    return path.resolve(fromEnv);
  }
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, RELATIVE);
    if (fs.existsSync(path.join(candidate, MARKER))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new RunbookScriptError(`cannot find ${RELATIVE} above ${startDir}`);
}

/** findScriptsDir() from this module's location, computed once. */
export function scriptsDir(): string {
  if (cached === undefined) cached = findScriptsDir();
  return cached;
}
