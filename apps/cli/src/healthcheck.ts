/**
 * `node dist/apps/cli/src/healthcheck.js <url>`: exits 0 when the URL answers 2xx within 4 s,
 * 1 otherwise. For container healthchecks: the slim image has node but no curl or wget.
 * Deliberately tiny (no Nest, no config) so a probe costs a few milliseconds of CPU.
 */
const url = process.argv[2] ?? 'http://127.0.0.1:3000/health/ready';

fetch(url, { signal: AbortSignal.timeout(4000) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
