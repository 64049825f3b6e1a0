import {
  HEADER_PATTERN,
  PARAMS_LINE_PATTERN,
  PARAM_KEY_PATTERN,
  SCRIPT_NAMES,
  ScriptName,
} from '@rdpfix/runbook/contract';

/** One of our scripts, recognised by its header (line 1) with its parameters (line 2). */
export interface RdpfixScript {
  kind: 'rdpfix';
  name: ScriptName;
  version: number;
  params: Record<string, string>;
  /** Set when line 2 is missing or its content is not key=value lines; the script then fails itself. */
  paramsError: string | null;
}

/** Anything else: PowerShell would run it and fail on the first unknown command. */
export interface UnrecognizedScript {
  kind: 'unrecognized';
  /** The name in a well-formed header that is not one of ours, else null. */
  headerName: string | null;
  version: number | null;
  /** The command PowerShell would report as not recognised, and where. */
  term: string;
  line: number;
}

export type ParsedScript = RdpfixScript | UnrecognizedScript;

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function parseScript(text: string): ParsedScript {
  const lines = splitLines(text);
  const header = HEADER_PATTERN.exec(lines[0] ?? '');
  const known = header !== null && (SCRIPT_NAMES as readonly string[]).includes(header[1]);
  if (!header || !known) {
    const { term, line } = firstCommand(lines);
    return {
      kind: 'unrecognized',
      headerName: header ? header[1] : null,
      version: header ? Number(header[2]) : null,
      term,
      line,
    };
  }
  const { params, error } = decodeParamsLine(lines[1]);
  return { kind: 'rdpfix', name: header[1] as ScriptName, version: Number(header[2]), params, paramsError: error };
}

/** Decodes `$RdpfixParams = '<base64>'` into key=value pairs (UTF-8 lines joined by \n). */
export function decodeParamsLine(line: string | undefined): { params: Record<string, string>; error: string | null } {
  const m = PARAMS_LINE_PATTERN.exec(line ?? '');
  if (!m) return { params: {}, error: 'missing or malformed $RdpfixParams line' };
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const params: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    if (eq < 0 || !PARAM_KEY_PATTERN.test(key)) return { params: {}, error: `malformed parameter line '${raw.slice(0, 60)}'` };
    params[key] = raw.slice(eq + 1);
  }
  return { params, error: null };
}

/** The first line that is neither blank nor a comment, and its first word. */
function firstCommand(lines: string[]): { term: string; line: number } {
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '' || t.startsWith('#') || PARAMS_LINE_PATTERN.test(lines[i])) continue;
    const word = t.split(/\s+/)[0].slice(0, 80);
    return { term: word, line: i + 1 };
  }
  return { term: 'rdpfix', line: 1 };
}
