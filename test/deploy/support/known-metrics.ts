import { ApiMetrics, WorkerMetrics } from '@rdpfix/observability';

/** Every series name the API and the worker expose (histograms with their _bucket/_sum/_count). */
export async function knownMetricNames(): Promise<Set<string>> {
  const worker = new WorkerMetrics(
    { outcomes: ['fixed'], scripts: ['diagnose'], commandStatuses: ['succeeded'], regions: [{ channel: 'ssm', region: 'eu-west-1' }] },
    { activeByState: async () => ({}), overdue: async () => 0, queueJobs: async () => ({}) },
  );
  const api = new ApiMetrics(async () => ({}), async () => ({}));
  const names = new Set<string>();
  for (const registry of [worker.registry, api.registry]) {
    for (const m of await registry.getMetricsAsJSON()) {
      names.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    }
  }
  return names;
}

/** The rdpfix_* metric names a PromQL expression uses. */
export function metricsIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(rdpfix_[a-z0-9_]+)\b/g)].map((m) => m[1]))];
}

/** Parentheses, brackets and braces balance (outside quoted strings): a cheap PromQL syntax net. */
export function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0 && quote === null;
}
