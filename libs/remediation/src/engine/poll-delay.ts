/** Poll backoff: first poll after `base`, growing 1.5x per poll up to `max`, with ±20 % jitter. */
export function pollDelay(pollCount: number, base: number, max: number, random: () => number = Math.random): number {
  const raw = Math.min(max, base * Math.pow(1.5, Math.max(0, pollCount)));
  const jitter = 0.8 + random() * 0.4;
  return Math.max(10, Math.round(raw * jitter));
}
