import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { ChannelError, ChannelThrottledError, CommandChannel, SendRequest } from '@rdpfix/channel';
import { AppConfig, loadConfig } from '@rdpfix/config';
import {
  CommandRunEntity,
  CommandRunRepository,
  RemediationEntity,
  TimelineRepository,
} from '@rdpfix/persistence';
import { renderScript } from '@rdpfix/runbook';
import { CommandSender } from '../../libs/remediation/src/engine/send/command-sender';
import { SendRecovery } from '../../libs/remediation/src/engine/send/send-recovery';
import { openTestDatabase } from '../support/test-database';

/** A channel whose every answer the test decides. */
class ScriptedChannel {
  readonly name = 'ssm';
  readonly maxInstancesPerSend = 50;
  sends: SendRequest[] = [];
  lookups: { marker: string; window: { after: Date; before: Date } }[] = [];
  reserve: () => Promise<void> = async () => undefined;
  onSend: (req: SendRequest) => Promise<{ commandId: string }> = async () => ({ commandId: randomUUID() });
  found: string | null = null;
  reserveSend(): Promise<void> {
    return this.reserve();
  }
  send(req: SendRequest) {
    this.sends.push(req);
    return this.onSend(req);
  }
  async findByMarker(_region: string, marker: string, window: { after: Date; before: Date }) {
    this.lookups.push({ marker, window });
    return this.found;
  }
  result = async () => null;
  results = async () => new Map();
  cancel = async () => undefined;
  instanceInfo = async () => new Map();
}

/**
 * Defects 2 and 8 (issue 8), against real PostgreSQL: every transition of a command run is a
 * compare-and-set on (status, send epoch); a runner that lost its claim can change nothing; the
 * budget is taken before the `sending` claim; the reset to `requested` needs the current epoch
 * and a send that provably did not reach the channel; stored times and lookup windows come from
 * PostgreSQL's clock.
 */
describe('fenced command runs', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let ds: DataSource;
  let runs: CommandRunRepository;
  let timeline: TimelineRepository;
  let config: AppConfig;
  let remediation: RemediationEntity;

  beforeAll(async () => {
    db = await openTestDatabase('fenced');
    ds = db.ds;
    runs = new CommandRunRepository(ds);
    timeline = new TimelineRepository(ds);
    config = loadConfig({}, { SEND_LOOKUP_DELAY_MS: 10, DELIVERY_TIMEOUT_S: 30, SEND_LOOKUP_MAX_S: 2, POLL_INTERVAL_MS: 10 });
    remediation = await ds.getRepository(RemediationEntity).save(
      ds.getRepository(RemediationEntity).create({
        instanceId: 'i-0123456789abcdef0',
        region: 'eu-west-1',
        mode: 'fix',
        strategy: 'remove-role',
        source: 'api',
        state: 'running',
        step: 'apply',
        deadlineAt: new Date(Date.now() + 3_600_000),
      }),
    );
  });
  afterAll(() => db?.close());

  const newRun = async (script: 'set-single-session' | 'diagnose' = 'set-single-session'): Promise<CommandRunEntity> => {
    const id = randomUUID();
    const params: Record<string, string | number> = script === 'diagnose' ? {} : { value: 0, runId: id };
    const r = renderScript(script, params);
    return runs.insertOrGet({
      id,
      remediationId: remediation.id,
      step: script === 'diagnose' ? 'diagnose' : 'apply',
      purpose: `p-${id}`,
      attempt: 1,
      scriptName: r.name,
      scriptVersion: r.version,
      scriptSha256: r.sha256,
      parameters: params,
      channel: 'ssm',
      instanceId: remediation.instanceId,
      region: remediation.region,
      status: 'requested',
    });
  };
  const reread = async (id: string) => (await runs.findById(id))!;

  it('two runners claim one send: exactly one gets the epoch; stale epochs change nothing', async () => {
    const run = await newRun();
    const claims = await Promise.all(Array.from({ length: 8 }, () => runs.beginSend(run.id, 30)));
    const won = claims.filter((c) => c !== null);
    expect(won).toHaveLength(1);
    const epoch = won[0]!.epoch;
    expect(await runs.markSent(run.id, epoch - 1, 'cmd-stale', 60, 'now')).toBe(false);
    expect(await runs.resetUnsent(run.id, epoch + 1)).toBe(false);
    expect(await runs.closeSend(run.id, epoch - 1, 'send_outcome_unknown', 'x')).toBe(false);
    expect(await runs.markSent(run.id, epoch, 'cmd-1', 60, 'now')).toBe(true);
    // Once pending, no runner can move it back or adopt another command.
    expect(await runs.markSent(run.id, epoch, 'cmd-2', 60, 'sending')).toBe(false);
    expect(await runs.resetUnsent(run.id, epoch)).toBe(false);
    expect(await reread(run.id)).toMatchObject({ status: 'pending', commandId: 'cmd-1', sendEpoch: epoch });
  });

  it('a reset needs the current epoch: a runner holding an older one cannot undo a newer send', async () => {
    const run = await newRun();
    const a = (await runs.beginSend(run.id, 30))!;
    expect(await runs.resetUnsent(run.id, a.epoch)).toBe(true); // A: provably not sent
    const b = (await runs.beginSend(run.id, 30))!;
    expect(b.epoch).toBe(a.epoch + 1);
    // A, late, tries every move with its old epoch: all refused.
    expect(await runs.resetUnsent(run.id, a.epoch)).toBe(false);
    expect(await runs.markSent(run.id, a.epoch, 'cmd-a', 60, 'now')).toBe(false);
    expect(await runs.markSendUnknown(run.id, a.epoch)).toBe(false);
    expect(await reread(run.id)).toMatchObject({ status: 'sending', sendEpoch: b.epoch, commandId: null });
  });

  it('stores times from PostgreSQL\'s clock: sending_at is now(), lookups end the bound later', async () => {
    const run = await newRun();
    const before = await runs.dbNow();
    const claim = (await runs.beginSend(run.id, 42))!;
    const after = await runs.dbNow();
    const row = await reread(run.id);
    expect(row.sendingAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(row.sendingAt!.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(row.lookupUntil!.getTime() - row.sendingAt!.getTime()).toBe(42_000);
    expect(claim.sendingAt.getTime()).toBe(row.sendingAt!.getTime());
  });

  it('the budget is taken before the claim: a runner stuck on it (or refused by it) holds nothing', async () => {
    const channel = new ScriptedChannel();
    const sender = new CommandSender(config, runs, timeline, channel as unknown as CommandChannel);
    const run = await newRun();
    channel.reserve = async () => {
      throw new ChannelThrottledError('over budget', 50);
    };
    expect(await sender.send(remediation, run)).toEqual({ done: false, waitMs: expect.any(Number) });
    expect((await reread(run.id)).status).toBe('requested');
    let release!: () => void;
    channel.reserve = () => new Promise<void>((r) => (release = r));
    const stuck = sender.send(remediation, run);
    await new Promise((r) => setTimeout(r, 200));
    // Blocked on the budget (e.g. Redis away): the run is still `requested`, nothing was sent.
    expect((await reread(run.id)).status).toBe('requested');
    expect(channel.sends).toHaveLength(0);
    release();
    await stuck;
    expect((await reread(run.id)).status).toBe('pending');
    expect(channel.sends).toHaveLength(1);
  });

  it('after a send: refused → requested (same epoch only), unknown → stays sending, found later by marker', async () => {
    const channel = new ScriptedChannel();
    const sender = new CommandSender(config, runs, timeline, channel as unknown as CommandChannel);
    const recovery = new SendRecovery(config, runs, timeline, channel as unknown as CommandChannel);

    const refused = await newRun();
    channel.onSend = async () => {
      throw new ChannelError('InternalServerError', 'InternalServerError', true, 'no');
    };
    await sender.send(remediation, refused);
    expect(await reread(refused.id)).toMatchObject({ status: 'requested', sendingAt: null });

    const unknown = await newRun();
    channel.onSend = async () => {
      throw new ChannelError('socket hang up', 'ECONNRESET', true, 'unknown');
    };
    await sender.send(remediation, unknown);
    const row = await reread(unknown.id);
    expect(row).toMatchObject({ status: 'sending', commandId: null });
    expect(row.sendUnknownAt).not.toBeNull();
    // Not visible yet: keep looking, never resend.
    channel.found = null;
    const sendsBefore = channel.sends.length;
    // Lookups start SEND_LOOKUP_DELAY_MS (10 ms) after the send; on a fast run that has not passed yet.
    await new Promise((r) => setTimeout(r, 50));
    expect(await recovery.recover(remediation, row)).toMatchObject({ done: false });
    expect((await reread(unknown.id)).status).toBe('sending');
    // The window is bounded on both sides by stored times (PostgreSQL's clock).
    const w = channel.lookups[channel.lookups.length - 1].window;
    expect(w.after.getTime()).toBe(row.sendingAt!.getTime() - 60_000);
    expect(w.before.getTime()).toBe(row.sendUnknownAt!.getTime() + 60_000);
    channel.found = 'cmd-found';
    await recovery.recover(remediation, await reread(unknown.id));
    expect(await reread(unknown.id)).toMatchObject({ status: 'pending', commandId: 'cmd-found' });
    expect(channel.sends.length).toBe(sendsBefore);
  });

  it('never found within the bound: a changing command ends send_outcome_unknown, a read-only one is resent and recorded', async () => {
    const channel = new ScriptedChannel();
    const recovery = new SendRecovery(config, runs, timeline, channel as unknown as CommandChannel);
    channel.found = null;
    for (const script of ['set-single-session', 'diagnose'] as const) {
      const run = await newRun(script);
      const claim = (await runs.beginSend(run.id, 1))!;
      await runs.markSendUnknown(run.id, claim.epoch);
      let state = await recovery.recover(remediation, await reread(run.id));
      for (let i = 0; i < 100 && !state.done && (await reread(run.id)).status === 'sending'; i++) {
        await new Promise((r) => setTimeout(r, Math.min(50, state.done ? 0 : state.waitMs)));
        state = await recovery.recover(remediation, await reread(run.id));
      }
      const end = await reread(run.id);
      if (script === 'set-single-session') {
        expect(end).toMatchObject({ status: 'send_outcome_unknown', commandId: null });
        expect(end.error).toMatch(/not sent again/);
      } else {
        expect(end).toMatchObject({ status: 'requested' });
        const events = await timeline.list(remediation.id);
        expect(events.some((e) => e.type === 'command_resent' && (e.data as { commandRunId?: string })?.commandRunId === run.id)).toBe(true);
      }
    }
    expect(channel.sends).toHaveLength(0);
  });
});
