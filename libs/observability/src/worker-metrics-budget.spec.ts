import { WorkerMetrics, WorkerGaugeSources } from './worker-metrics';

/** The shared channel call budget as Prometheus gauges: limit and effective rate by channel and region. */
describe('worker metrics: the channel call budget', () => {
  const labels = { outcomes: ['fixed'], scripts: ['diagnose'], commandStatuses: ['succeeded'], regions: [{ channel: 'ssm', region: 'eu-west-1' }] };
  const base: WorkerGaugeSources = { activeByState: async () => ({}), overdue: async () => 0, queueJobs: async () => ({}) };
  const value = async (m: WorkerMetrics, name: string) => (await m.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#') && l);

  it('shows the limit and the effective rate of each region, read once per scrape', async () => {
    let reads = 0;
    const m = new WorkerMetrics(labels, {
      ...base,
      channelBudget: async () => {
        reads++;
        return [
          { channel: 'ssm', region: 'eu-west-1', limit: 50, effective: 12.5 },
          { channel: 'jdcloud', region: 'cn-north-1', limit: 50, effective: 50 },
        ];
      },
    });
    const text = await m.registry.metrics();
    expect(text).toContain('rdpfix_channel_budget_effective_calls_per_second{channel="ssm",region="eu-west-1"} 12.5');
    expect(text).toContain('rdpfix_channel_budget_effective_calls_per_second{channel="jdcloud",region="cn-north-1"} 50');
    expect(text).toContain('rdpfix_channel_budget_limit_calls_per_second{channel="ssm",region="eu-west-1"} 50');
    expect(reads).toBe(1);
  });

  it('a Redis failure drops the series (unknown) and never fails the scrape', async () => {
    let down = false;
    const m = new WorkerMetrics(labels, {
      ...base,
      channelBudget: async () => {
        if (down) throw new Error('Redis is reconnecting');
        return [{ channel: 'ssm', region: 'eu-west-1', limit: 50, effective: 25 }];
      },
    });
    expect(await value(m, 'rdpfix_channel_budget_effective_calls_per_second')).toEqual(['rdpfix_channel_budget_effective_calls_per_second{channel="ssm",region="eu-west-1"} 25']);
    down = true;
    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE rdpfix_channel_budget_effective_calls_per_second gauge');
    expect(text).not.toContain('rdpfix_channel_budget_effective_calls_per_second{');
    expect(text).not.toContain('rdpfix_channel_budget_limit_calls_per_second{');
    expect(text).toContain('rdpfix_remediations_overdue 0');
  });
});
