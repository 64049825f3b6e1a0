import { MAX_PARAM_VALUE_CHARS, renderScript, SCRIPT_NAMES, SCRIPT_PARAM_SPECS, ScriptName } from '@rdpfix/runbook';
import { packScript } from './script-transport';

/** commandContent (base64) must stay below this; the docs say "< 16 KB" (see docs/channels.md). */
export const DEFAULT_MAX_COMMAND_CONTENT_BYTES = 16000;

export interface ScriptSize {
  script: ScriptName;
  /** Length of commandContent for the worst-case parameters. */
  commandContentBytes: number;
}

export class ScriptTooLargeError extends Error {
  constructor(
    readonly oversized: ScriptSize[],
    readonly limit: number,
  ) {
    super(
      `jdcloud: ${oversized.map((s) => `${s.script} needs ${s.commandContentBytes} bytes`).join(', ')}; ` +
        `Cloud Assistant's commandContent must stay under ${limit} bytes (JDCLOUD_MAX_SCRIPT_BYTES)`,
    );
    this.name = 'ScriptTooLargeError';
  }
}

/**
 * The largest parameters renderScript accepts for a script: every declared parameter with a
 * value of MAX_PARAM_VALUE_CHARS. Real values are smaller (the scripts validate them).
 */
export function worstCaseParams(name: ScriptName): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, spec] of Object.entries(SCRIPT_PARAM_SPECS[name])) params[key] = 'x'.repeat(spec.maxChars ?? MAX_PARAM_VALUE_CHARS);
  return params;
}

/** The packed size of every runbook script with worst-case parameters. */
export function measureRunbook(): ScriptSize[] {
  return SCRIPT_NAMES.map((script) => ({
    script,
    commandContentBytes: Buffer.byteLength(packScript(renderScript(script, worstCaseParams(script)).text).commandContent),
  }));
}

/** Throws ScriptTooLargeError naming every script that would not fit. Run at adapter construction. */
export function assertRunbookFits(limit: number = DEFAULT_MAX_COMMAND_CONTENT_BYTES): ScriptSize[] {
  const sizes = measureRunbook();
  const oversized = sizes.filter((s) => s.commandContentBytes >= limit);
  if (oversized.length) throw new ScriptTooLargeError(oversized, limit);
  return sizes;
}
