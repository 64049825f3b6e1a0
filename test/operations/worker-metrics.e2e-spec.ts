import http from 'http';
import { Stack } from '../support/stack';
import { seriesSum, seriesValue } from './support/prom-text';

/**
 * The worker's /metrics (on its own port): every series exists at 0 before anything happened,
 * and moves when a remediation runs: outcomes by reason, commands by script and status, channel
 * calls and throttles by region, webhook deliveries by result, queue depth, reconciler re-enqueues.
 */
describe('worker metrics', () => {
  let stack: Stack;
  let receiver: http.Server;
  let receiverUrl: string;
  let delivered = 0;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        delivered++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as import('net').AddressInfo).port}/hook`;
    stack = await Stack.start({ config: { REGIONS: 'eu-west-1' } });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await new Promise((r) => receiver?.close(r));
  });

  const scrape = async () => {
    const res = await fetch(`${stack.workerUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return res.text();
  };

  it('exposes every series at 0 before anything happened, with Prometheus names', async () => {
    const text = await scrape();
    expect(seriesValue(text, 'rdpfix_remediation_outcomes_total', { outcome: 'fixed', reason: 'none' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_remediation_outcomes_total', { outcome: 'failed', reason: 'none' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_commands_total', { script: 'diagnose', status: 'succeeded' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_commands_total', { script: 'remove-rdsh-role', status: 'timed_out' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_channel_throttles_total', { channel: 'ssm', region: 'eu-west-1' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_channel_errors_total', { channel: 'ssm', region: 'eu-west-1' })).toBe(0);
    for (const result of ['delivered', 'retry', 'failed']) expect(seriesValue(text, 'rdpfix_webhook_deliveries_total', { result })).toBe(0);
    expect(seriesValue(text, 'rdpfix_reconciler_requeued_total')).toBe(0);
    expect(seriesValue(text, 'rdpfix_worker_shutdown_handed_back_total')).toBe(0);
    for (const queue of ['remediations', 'webhooks', 'campaign-ticks']) expect(seriesValue(text, 'rdpfix_queue_jobs', { queue, state: 'waiting' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_remediations_active', { state: 'running' })).toBe(0);
    expect(seriesValue(text, 'rdpfix_remediations_overdue')).toBe(0);
    expect(seriesValue(text, 'rdpfix_worker_jobs_in_flight')).toBe(0);
    // Names follow the conventions: counters end in _total, every family has HELP and TYPE.
    for (const m of text.matchAll(/^# TYPE (rdpfix_\S+) (\w+)$/gm)) {
      if (m[2] === 'counter') expect(m[1]).toMatch(/_total$/);
      expect(text).toContain(`# HELP ${m[1]} `);
    }
  });

  it('moves with a fixed remediation: outcome, commands by script, channel calls, a delivered webhook', async () => {
    const id = await stack.instance('2019', 'cause-a');
    const r = await stack.submit({ instanceId: id, mode: 'fix', callbackUrl: receiverUrl });
    expect((await stack.waitFor(r.id)).outcome).toBe('fixed');
    await until(async () => seriesValue(await scrape(), 'rdpfix_webhook_deliveries_total', { result: 'delivered' })! >= 1, 30_000);
    const text = await scrape();
    expect(seriesValue(text, 'rdpfix_remediation_outcomes_total', { outcome: 'fixed', reason: 'none' })).toBe(1);
    expect(seriesValue(text, 'rdpfix_commands_total', { script: 'diagnose', status: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(seriesValue(text, 'rdpfix_commands_total', { script: 'set-single-session', status: 'succeeded' })).toBe(1);
    expect(seriesValue(text, 'rdpfix_channel_calls_total', { channel: 'ssm', region: 'eu-west-1', operation: 'send' })).toBeGreaterThanOrEqual(3);
    expect(seriesSum(text, 'rdpfix_channel_calls_total', { region: 'eu-west-1' })).toBeGreaterThan(seriesValue(text, 'rdpfix_channel_calls_total', { channel: 'ssm', region: 'eu-west-1', operation: 'send' })!);
    expect(delivered).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('counts throttles by region and a failure by its reason', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(null, { throttleRate: 1 });
    const r = await stack.submit({ instanceId: id, mode: 'diagnose' });
    try {
      await until(async () => seriesValue(await scrape(), 'rdpfix_channel_throttles_total', { channel: 'ssm', region: 'eu-west-1' })! > 0, 30_000);
    } finally {
      await stack.setFaults(null, { throttleRate: 0 });
    }
    expect((await stack.waitFor(r.id)).outcome).toBe('diagnosed');
    const offline = await stack.instance('2019', 'cause-a');
    await stack.setAgent(offline, false);
    const f = await stack.submit({ instanceId: offline, mode: 'diagnose' });
    expect((await stack.waitFor(f.id)).reason).toBe('agent_offline');
    const text = await scrape();
    expect(seriesValue(text, 'rdpfix_remediation_outcomes_total', { outcome: 'failed', reason: 'agent_offline' })).toBe(1);
    expect(seriesValue(text, 'rdpfix_remediation_outcomes_total', { outcome: 'diagnosed', reason: 'none' })).toBe(1);
  }, 90_000);

  it('counts the reconciler re-enqueueing a remediation whose job Redis lost', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(id, { hangScripts: ['diagnose'] });
    const r = await stack.submit({ instanceId: id, mode: 'diagnose' });
    await until(async () => (await stack.get(r.id)).step === 'diagnose', 30_000);
    expect(seriesValue(await scrape(), 'rdpfix_remediations_active', { state: 'running' })).toBe(1);
    await stack.flushQueueKeys();
    await until(async () => seriesValue(await scrape(), 'rdpfix_reconciler_requeued_total')! >= 1, 30_000);
  }, 90_000);
});

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
