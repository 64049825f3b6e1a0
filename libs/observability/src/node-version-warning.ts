/**
 * The AWS SDK warns with process.emitWarning, in nine lines on stderr, that its releases after
 * January 2027 need Node >= 22. Printed raw it breaks the JSON log stream; this routes it to the
 * structured logger instead, as one line, once per process. Every other warning is untouched.
 */
const SDK_WARNING = /NodeVersionSupportWarning/;

let installed: ((message: string) => void) | null = null;
let logged = false;

export function routeSdkNodeVersionWarning(log: (message: string) => void): void {
  const first = installed === null;
  installed = log; // the latest app's logger (tests and the demo build several in one process)
  if (!first) return;
  const original = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  (process as { emitWarning: (...args: unknown[]) => void }).emitWarning = (warning: unknown, ...rest: unknown[]) => {
    const text = warning instanceof Error ? warning.message : String(warning);
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (!SDK_WARNING.test(text) && !SDK_WARNING.test(type ?? '')) return original(warning, ...rest);
    if (logged) return;
    logged = true;
    installed?.(oneLine(text));
  };
}

/** "NodeVersionSupportWarning: The AWS SDK ... node >=22. You are running node v20 ..." in one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n+\s*/g, ' ').replace(/\s{2,}/g, ' ').trim();
}
