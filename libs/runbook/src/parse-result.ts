import { ScriptName, ScriptResult, ScriptResultBase } from './contract';
import { checkScriptResult } from './result-guards';

/** A result line with ok = false: only the common fields and `error` are guaranteed. */
export interface FailedScriptResult extends ScriptResultBase {
  ok: false;
  error: string;
  [field: string]: unknown;
}

export type ParseErrorCode = 'no_output' | 'no_result_line' | 'truncated' | 'bad_json' | 'bad_shape';

export type ParsedOutput =
  | { kind: 'ok'; result: ScriptResult | FailedScriptResult; line: string }
  | { kind: 'error'; code: ParseErrorCode; detail: string };

/** Markers the SSM agent (and tools around it) append when they cut output. */
export const TRUNCATION_MARKERS = ['---Output truncated---', '--output truncated--'] as const;

const DETAIL_CHARS = 200;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > DETAIL_CHARS ? flat.slice(0, DETAIL_CHARS - 3) + '...' : flat;
}

export interface ParseExpectation {
  /** The script that was sent: a result naming another script is bad_shape. */
  script?: ScriptName;
  version?: number;
}

/**
 * Reads the result of a runbook script from its stdout: the last non-empty line must be one
 * JSON object of the right shape. Never throws.
 */
export function parseScriptOutput(stdout: string, stderr?: string, expect?: ParseExpectation): ParsedOutput {
  const out = typeof stdout === 'string' ? stdout : '';
  if (out.trim() === '') {
    const err = stderr ? `; stderr: ${excerpt(stderr)}` : '';
    return { kind: 'error', code: 'no_output', detail: `empty stdout${err}` };
  }
  const lower = out.toLowerCase();
  const marker = TRUNCATION_MARKERS.find((m) => lower.includes(m.toLowerCase()));
  if (marker) {
    return { kind: 'error', code: 'truncated', detail: `output cut by the channel (${marker})` };
  }
  const lines = out.split(/\r?\n|\r/);
  let line = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i].trim();
    if (t !== '') {
      line = t;
      break;
    }
  }
  if (!line.startsWith('{')) {
    return { kind: 'error', code: 'no_result_line', detail: `last line is not a JSON object: ${excerpt(line)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    return { kind: 'error', code: 'bad_json', detail: `${(e as Error).message}: ${excerpt(line)}` };
  }
  const problem = checkScriptResult(parsed);
  if (problem !== null) return { kind: 'error', code: 'bad_shape', detail: `unexpected ${problem}` };
  const result = parsed as ScriptResult | FailedScriptResult;
  if (expect?.script !== undefined && result.script !== expect.script) {
    return { kind: 'error', code: 'bad_shape', detail: `result of ${result.script}, expected ${expect.script}` };
  }
  if (expect?.version !== undefined && result.version !== expect.version) {
    return { kind: 'error', code: 'bad_shape', detail: `version ${result.version}, expected ${expect.version}` };
  }
  return { kind: 'ok', result, line };
}

/**
 * The run-id guard refused a changing script (docs/at-most-once.md): a second delivery of a
 * command whose run already acted on this server. It did nothing: a non-changing outcome, and
 * it carries no before/after values.
 */
export function isAlreadyRan(result: unknown): boolean {
  const r = result as { ok?: unknown; alreadyRan?: unknown; error?: unknown } | null;
  return !!r && r.ok === false && r.alreadyRan === true && typeof r.error === 'string' && r.error.startsWith('already_ran');
}
