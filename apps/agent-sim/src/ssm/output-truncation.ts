/** SSM output caps and SSM Agent's truncation markers (command-channels.md §1.4). */
export const STDOUT_CAP = 24_000;
export const STDERR_CAP = 8_000;
export const PLUGIN_OUTPUT_CAP = 2_500;
export const OUTPUT_TRUNCATED = '\n---Output truncated---';
export const ERROR_TRUNCATED = '\n---Error truncated----';
const ERROR_HEADER = '\n----------ERROR-------\n';

/** Keeps the first characters so that text + marker fit the cap, as SSM Agent does. */
export function capText(text: string, cap: number, marker: string): string {
  if (text.length <= cap) return text;
  return text.slice(0, Math.max(0, cap - marker.length)) + marker;
}

/**
 * CommandPlugins[].Output of ListCommandInvocations(Details=true): stdout, then an error
 * section, within 2,500 characters. Mirrors amazon-ssm-agent iohandler.TruncateOutput.
 */
export function pluginOutput(stdout: string, stderr: string, cap = PLUGIN_OUTPUT_CAP): string {
  if (stderr === '') return capText(stdout, cap, OUTPUT_TRUNCATED);
  if (stdout === '') return ERROR_HEADER + capText(stderr, cap - ERROR_HEADER.length, ERROR_TRUNCATED);
  const room = cap - ERROR_HEADER.length;
  if (stdout.length + stderr.length <= room) return stdout + ERROR_HEADER + stderr;
  const half = Math.floor(room / 2);
  const outCap = Math.max(half, room - stderr.length);
  const out = capText(stdout, outCap, OUTPUT_TRUNCATED);
  return out + ERROR_HEADER + capText(stderr, room - out.length, ERROR_TRUNCATED);
}
