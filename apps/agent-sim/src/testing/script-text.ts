/**
 * Renders a script text the way libs/runbook does (header, params line, body), so tests can
 * drive the simulator without the real .ps1 files.
 */
export function renderScriptText(name: string, version: number, params: Record<string, string | number> = {}, body = 'exit 0'): string {
  const kv = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const b64 = Buffer.from(kv, 'utf8').toString('base64');
  return [`# rdpfix-script: ${name} v${version}`, `$RdpfixParams = '${b64}'`, body].join('\n');
}

/** The JSON result line of a script's stdout (last non-empty line). */
export function lastJsonLine<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
  return JSON.parse(lines[lines.length - 1]) as T;
}
