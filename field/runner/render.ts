import * as fs from 'fs';
import * as path from 'path';

/** The field kit's own PowerShell scripts (field/ps), rendered like the runbook's: header, data line, shared part, body. */
export const FIELD_SCRIPTS = ['snapshot-state', 'arrange-block-ls-rpc', 'arrange-break-wmi', 'run-pester'] as const;
export type FieldScript = (typeof FIELD_SCRIPTS)[number];

const KEY = /^[A-Za-z][A-Za-z0-9.]{0,39}$/;

/** field/ (holding ps/ and pester/), found by walking up from here: works from sources and from dist/. */
export function fieldDir(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'field');
    if (fs.existsSync(path.join(candidate, 'ps', '_field-common.ps1'))) return candidate;
    if (fs.existsSync(path.join(dir, 'ps', '_field-common.ps1'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find field/ps above ${start}`);
    dir = parent;
  }
}

function read(rel: string): string {
  return fs.readFileSync(path.join(fieldDir(), rel), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * The script text to send through SSM. Parameters travel only as base64 data on line 2, never
 * pasted into code: `key=value` lines, values without line breaks.
 */
export function renderFieldScript(name: FieldScript, params: Record<string, string> = {}): string {
  for (const [k, v] of Object.entries(params)) {
    if (!KEY.test(k)) throw new Error(`bad field parameter name ${JSON.stringify(k)}`);
    if (/[\r\n\0]/.test(v)) throw new Error(`field parameter ${k} contains a line break`);
  }
  const data = Buffer.from(
    Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    'utf8',
  ).toString('base64');
  return [`# rdpfix-field: ${name}`, `$RdpfixFieldParams = '${data}'`, read('ps/_field-common.ps1'), read(`ps/${name}.ps1`)].join('\n') + '\n';
}

/** The Pester test file, as sent to the VM (base64 of its bytes). */
export function pesterTestsBase64(): string {
  return Buffer.from(read('pester/Rdpfix.Field.Tests.ps1'), 'utf8').toString('base64');
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** key=value lines (\uXXXX unescaped) up to RDPFIX-FIELD-END; `complete` = the end marker was seen. */
export function parseFieldOutput(stdout: string): { values: Record<string, string>; lines: string[]; complete: boolean } {
  const values: Record<string, string> = {};
  const lines: string[] = [];
  let complete = false;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === 'RDPFIX-FIELD-END') {
      complete = true;
      break;
    }
    const i = line.indexOf('=');
    if (i < 1) continue;
    const value = line.slice(i + 1).replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    lines.push(`${line.slice(0, i)}=${value}`);
    values[line.slice(0, i)] = value;
  }
  return { values, lines, complete };
}

export interface PesterSummary {
  passed: number;
  failed: number;
  failures: string[];
}

/** The run-pester.ps1 summary; null when Pester did not report (not installed, crashed). */
export function parsePesterOutput(stdout: string): PesterSummary | null {
  const m = /RDPFIX-PESTER passed=(\d+) failed=(\d+)/.exec(stdout);
  if (!m) return null;
  const failures = parseFieldOutput(stdout).lines.filter((l) => l.startsWith('RDPFIX-PESTER-FAIL=')).map((l) => l.slice('RDPFIX-PESTER-FAIL='.length));
  return { passed: Number(m[1]), failed: Number(m[2]), failures };
}
