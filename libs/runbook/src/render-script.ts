import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { HEADER_PATTERN, SCRIPT_NAMES, ScriptName } from './contract';
import { RunbookScriptError } from './errors';
import { normalizeParams, paramsLine, ScriptParamsInput } from './params-codec';
import { scriptsDir } from './scripts-dir';

export interface RenderedScript {
  name: ScriptName;
  version: number;
  /** The full PowerShell text to send: header, params line, _common.ps1, includes, body. */
  text: string;
  /** sha256 (hex) of `text` as UTF-8: identical commands have identical hashes. */
  sha256: string;
  /** The parameters as they were encoded (strings, keys sorted). */
  params: Record<string, string>;
}

/** One script file, split into what the renderer needs. */
export interface ScriptSource {
  name: ScriptName;
  version: number;
  /** Shared parts in order: _common.ps1, then the body's `# rdpfix-include:` files. */
  parts: { file: string; text: string }[];
  body: string;
}

const VERSION_LINE = /^# version: ([1-9][0-9]{0,5})\s*$/;
const INCLUDE_LINE = /^# rdpfix-include: (_[a-z0-9-]+\.ps1)\s*$/;
const COMMON = '_common.ps1';

const fileCache = new Map<string, string>();
const sourceCache = new Map<ScriptName, ScriptSource>();

function readPart(file: string): string {
  const cached = fileCache.get(file);
  if (cached !== undefined) return cached;
  const full = path.join(scriptsDir(), file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new RunbookScriptError(`cannot read ${full}: ${(e as Error).message}`);
  }
  // One text form everywhere: no BOM, LF line ends, no trailing blank lines.
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (/[^\x09\x0a\x20-\x7e]/.test(text)) {
    // The agent may store the script without a BOM; Windows PowerShell would then misread UTF-8.
    throw new RunbookScriptError(`${file} contains characters outside printable ASCII`);
  }
  fileCache.set(file, text);
  return text;
}

function assertScriptName(name: string): asserts name is ScriptName {
  if (!(SCRIPT_NAMES as readonly string[]).includes(name)) {
    throw new RunbookScriptError(`unknown script ${JSON.stringify(name)}`);
  }
}

/** Reads (once) and checks a script file: version line, includes, Start-Rdpfix identity. */
export function loadScriptSource(name: ScriptName): ScriptSource {
  assertScriptName(name);
  const cached = sourceCache.get(name);
  if (cached) return cached;
  const file = `${name}.ps1`;
  const body = readPart(file);
  const lines = body.split('\n');
  const vm = VERSION_LINE.exec(lines[0] ?? '');
  if (!vm) throw new RunbookScriptError(`${file}: line 1 must be "# version: N"`);
  const version = Number(vm[1]);
  const parts = [{ file: COMMON, text: readPart(COMMON) }];
  for (const line of lines.slice(1)) {
    const im = INCLUDE_LINE.exec(line);
    if (!im) continue;
    if (im[1] === COMMON || parts.some((p) => p.file === im[1])) {
      throw new RunbookScriptError(`${file}: ${im[1]} included twice`);
    }
    parts.push({ file: im[1], text: readPart(im[1]) });
  }
  // The result line names the script and version; they must agree with the header.
  const starts = body.match(/^Start-Rdpfix -Name '([a-z-]+)' -Version ([0-9]+)\s*$/gm) ?? [];
  const expected = `Start-Rdpfix -Name '${name}' -Version ${version}`;
  if (starts.length !== 1 || starts[0].trim() !== expected) {
    throw new RunbookScriptError(`${file}: must call "${expected}" exactly once`);
  }
  const source: ScriptSource = { name, version, parts, body };
  sourceCache.set(name, source);
  return source;
}

/**
 * Reads and checks every script once (a worker's start-up check): a deployment without its
 * runbook files must refuse to start, not fail each remediation's first step for minutes.
 */
export function loadAllScripts(): ScriptSource[] {
  return SCRIPT_NAMES.map((name) => loadScriptSource(name));
}

/** The version the header of `name` carries. */
export function scriptVersion(name: ScriptName): number {
  return loadScriptSource(name).version;
}

/**
 * Rendered texts by script and params line, least recently used out. A campaign requests the same
 * script with the same parameters thousands of times (that is what lets its batches stay whole);
 * building the text (several KB) and hashing it each time was 2 % of the worker's CPU in
 * `npm run bench:fleet --profile`. Sends carry their batch's or run's id, so each of theirs is
 * rendered once and only passes through: a small bound keeps the repeated ones without holding
 * hundreds of texts (with 512 entries, cleared when full, the worker's peak RSS at 100,000 was
 * 530–554 MB, against 470 MB before the cache). Cleared with the sources (clearScriptCache).
 */
const renderCache = new Map<string, { text: string; sha256: string }>();
const RENDER_CACHE_MAX = 32;

/**
 * Renders a script for the command channel. Parameters travel only as base64 data on line 2;
 * bad keys or values throw RunbookParamError and nothing is rendered.
 */
export function renderScript(name: ScriptName, params?: ScriptParamsInput): RenderedScript {
  const source = loadScriptSource(name);
  const normalized = normalizeParams(params);
  const line = paramsLine(normalized);
  const key = `${name}\n${line}`;
  let rendered = renderCache.get(key);
  if (rendered) renderCache.delete(key); // re-inserted below: most recently used last
  else {
    const text = [`# rdpfix-script: ${name} v${source.version}`, line, ...source.parts.map((p) => p.text), source.body].join('\n') + '\n';
    rendered = { text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
    if (renderCache.size >= RENDER_CACHE_MAX) renderCache.delete(renderCache.keys().next().value as string);
  }
  renderCache.set(key, rendered);
  return { name, version: source.version, text: rendered.text, sha256: rendered.sha256, params: normalized };
}

/** Entries the render cache holds now (tests: it stays bounded). */
export function renderCacheSize(): number {
  return renderCache.size;
}

/** Script name and version from line 1 of a script text, or null when it is not ours. */
export function parseScriptHeader(text: string): { name: ScriptName; version: number } | null {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const m = HEADER_PATTERN.exec(first);
  if (!m || !(SCRIPT_NAMES as readonly string[]).includes(m[1])) return null;
  return { name: m[1] as ScriptName, version: Number(m[2]) };
}

/** Forget cached files (tests, or a process that hot-swaps the scripts directory). */
export function clearScriptCache(): void {
  fileCache.clear();
  sourceCache.clear();
  renderCache.clear();
}
