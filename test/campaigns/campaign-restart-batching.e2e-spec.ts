import { randomUUID } from 'crypto';
import { SsmCommandChannel } from '@rdpfix/channel';
import { BOOT_TIME_TOLERANCE_MS } from '@rdpfix/domain';
import { parseScriptOutput, renderScript, RestartResult } from '@rdpfix/runbook';
import { CampaignStack, resetSimStats, simFleet, simStats, startCampaignStack } from './support/harness';
import { insertCampaignRemediations, waitFinished } from './support/batch-rows';
import { ledger, waitUntil } from '../faults/support/send-faults';
import { Json } from '../support/stack';

/**
 * Campaign restarts batch on a fleet whose servers booted at different times (restart-computer
 * v4, `bootedBefore`): N restarts are ONE SendCommand, and each server restarts exactly once,
 * though the send's answer is lost (recovered by marker) and the command is then delivered
 * again — as it was (the run-id guard refuses it) and with the guard's marker gone (the
 * batch's boot-time threshold refuses it).
 */
const N = 12;
const CONFIG = { BATCH_LINGER_MS: 5000, BATCH_MAX_LINGER_MS: 30000, BATCH_SAFETY_WAKE_MS: 20000 };

describe('batched campaign restarts', () => {
  let s: CampaignStack;

  beforeAll(async () => {
    s = await startCampaignStack({ config: CONFIG, sim: { seed: 5 } });
  });
  afterAll(async () => s.close());

  const instance = async (id: string): Promise<Json> => (await s.stack.http('GET', `${s.stack.simUrl}/admin/instances/${id}`)).body.instance;
  const restartsOf = async (id: string): Promise<Json[]> =>
    ((await s.stack.http('GET', `${s.stack.simUrl}/admin/instances/${id}/commands`)).body.commands as Json[]).filter((c) => c.scriptName === 'restart-computer');

  /** Sends one restart-computer text to every instance at once (one command) and returns each parsed result. */
  async function deliver(ids: string[], params: Record<string, string>): Promise<RestartResult[]> {
    const channel = new SsmCommandChannel({ endpointFor: () => s.stack.simUrl, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 2 });
    try {
      const text = renderScript('restart-computer', params).text;
      const { commandId } = await channel.send({ region: 'eu-west-1', instanceIds: ids, scriptText: text, marker: `replay:${randomUUID()}`, executionTimeoutS: 60, deliveryTimeoutS: 60 });
      const out: RestartResult[] = [];
      for (const id of ids) {
        const res = await waitUntil('the re-delivery to end', async () => {
          const r = await channel.result('eu-west-1', commandId, id);
          return r && ['succeeded', 'failed'].includes(r.status) ? r : undefined;
        });
        const parsed = parseScriptOutput(res.stdout, res.stderr, { script: 'restart-computer' });
        if (parsed.kind !== 'ok') throw new Error(`unparsed restart-computer output: ${res.stdout}`);
        out.push(parsed.result as RestartResult);
      }
      return out;
    } finally {
      channel.destroy();
    }
  }

  it('N restarts of servers with distinct boot times go out as one SendCommand; each server restarts once, also when the command is delivered twice', async () => {
    const ids = await simFleet(s.stack, N, { preset: 'cause-b' });
    const bootsBefore = await Promise.all(ids.map(async (id) => (await instance(id)).bootTime as string));
    // The generated fleet is realistic: no two servers booted at the same time.
    expect(new Set(bootsBefore).size).toBe(N);

    // The restart's send acts but its answer is lost; the listing lags: recovery by the batch's marker.
    await s.stack.setFaults(null, { dropSendResponseRate: 1, delayListingMs: 1500, sendFaultScripts: ['restart-computer'] });
    await resetSimStats(s.stack);
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'fix', step: 'diagnose', allowReboot: true });
    const done = await waitFinished(s.pg, rems, 200_000);
    await s.stack.setFaults(null, { dropSendResponseRate: 0, delayListingMs: 0, sendFaultScripts: [] });
    expect(done.map((r) => `${r.outcome}${r.reason ? ` (${r.reason})` : ''}`)).toEqual(Array(N).fill('fixed'));

    // ONE batch of N, ONE command on the simulated channel, rendered with the batch's threshold.
    const batches = (await s.pg.query(`SELECT id, run_count, command_id FROM command_batches WHERE script_name = 'restart-computer'`)).rows;
    expect(batches).toEqual([{ id: expect.any(String), run_count: N, command_id: expect.any(String) }]);
    const received = await Promise.all(ids.map(restartsOf));
    expect(received.map((r) => r.length)).toEqual(Array(N).fill(1));
    expect(new Set(received.map((r) => r[0].commandId))).toEqual(new Set([batches[0].command_id]));
    const params = received[0][0].params as Record<string, string>;
    const latest = Math.max(...bootsBefore.map((b) => Date.parse(b)));
    expect(params).toEqual({ delaySeconds: expect.any(String), runId: batches[0].id, bootedBefore: new Date(Math.ceil((latest + BOOT_TIME_TOLERANCE_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z') });
    for (const r of received) expect(r[0].params).toEqual(params);
    const types = (await s.pg.query(`SELECT DISTINCT type FROM timeline_events WHERE remediation_id = $1`, [rems[0]])).rows.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['command_send_unknown', 'command_recovered']));

    // Each server restarted exactly once: a new boot time, one restart executed.
    let stats = await simStats(s.stack);
    expect(stats.reboots).toBe(N);
    for (const [i, id] of ids.entries()) {
      expect(Date.parse((await instance(id)).bootTime)).toBeGreaterThan(Date.parse(bootsBefore[i]));
      expect((await ledger(s.stack, id)).byScript['restart-computer']).toEqual({ received: 1, executed: 1, refused: 0 });
    }

    // Delivered again as it was: the run-id guard (first line) refuses it on every server.
    const again = await deliver(ids, params);
    for (const r of again) expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^already_ran/) });
    for (const id of ids) expect((await ledger(s.stack, id)).byScript['restart-computer']).toEqual({ received: 2, executed: 1, refused: 1 });

    // Delivered again with the guard's marker gone (a new run id): the batch's one-sided
    // boot-time check (second line) sees every server booted after bootedBefore.
    const guardGone = await deliver(ids, { ...params, runId: randomUUID() });
    for (const r of guardGone) expect(r).toMatchObject({ ok: true, scheduled: false, alreadyRestarted: true, bootedBefore: params.bootedBefore });
    await new Promise((r) => setTimeout(r, 1500)); // longer than a scheduled restart would take here
    stats = await simStats(s.stack);
    expect(stats.reboots).toBe(N);
  }, 300_000);
});
