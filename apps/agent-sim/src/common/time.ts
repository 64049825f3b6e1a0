/** Time formatting used on the SSM wire and in modelled Windows output. */

export function isoString(ms: number): string {
  return new Date(ms).toISOString();
}

/** JSON 1.1 timestamps are epoch seconds (fractional allowed). */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** ExecutionElapsedTime is an ISO-8601 duration, e.g. "PT0.25S" (moto uses "PT5M"). */
export function isoDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return `PT${Number(seconds.toFixed(3))}S`;
}
