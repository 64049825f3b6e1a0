import { Client } from 'pg';
import { CampaignStack, createCampaign, getCampaign, simFleet, startCampaignStack, targetsOf, waitCampaign } from './support/harness';

/**
 * A campaign starts no new target while the batched commands of its region already wait deeper
 * than CAMPAIGN_START_BACKLOG: the channel is then the limit, and a start would only queue. Here
 * the backlog is three requests of running remediations whose rows another transaction holds
 * (the dispatcher skips locked rows, so they stay requested); the campaign must start nothing
 * while they wait, and start everything once they are gone.
 */
describe('campaign starts held while the channel backlog is deep', () => {
  let s: CampaignStack;
  let holder: Client;
  beforeAll(async () => {
    s = await startCampaignStack({ worker: 'in-process', config: { CAMPAIGN_START_BACKLOG: 3 } });
    holder = new Client({ connectionString: s.stack.dbUrl });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await s?.close();
  });

  let made = 0;
  async function backlog(region: string, n: number): Promise<string[]> {
    const runs: string[] = [];
    for (let k = 0; k < n; k++) {
      const i = made++;
      const [r] = (
        await s.pg.query(
          `INSERT INTO remediations (instance_id, region, mode, strategy, source, state, step, deadline_at)
           VALUES ($1, $2, 'diagnose', 'remove-role', 'campaign', 'running', 'diagnose', now() + interval '1 hour') RETURNING id`,
          [`i-0backlog${String(i).padStart(8, '0')}`, region],
        )
      ).rows;
      const [c] = (
        await s.pg.query(
          `INSERT INTO command_runs (remediation_id, step, purpose, attempt, script_name, script_version, script_sha256, parameters, channel, instance_id, region, status, batch_key)
           VALUES ($1, 'diagnose', 'diagnose', 1, 'diagnose', 1, $2, '{}', 'ssm', $3, $4, 'requested', 'diagnose@1:held') RETURNING id`,
          [r.id, '0'.repeat(64), `i-0backlog${String(i).padStart(8, '0')}`, region],
        )
      ).rows;
      runs.push(c.id as string);
    }
    return runs;
  }

  it('starts nothing while three requests wait (limit 3), then every target once they are gone', async () => {
    const runs = await backlog('eu-west-1', 3);
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM command_runs WHERE id = ANY($1::uuid[]) FOR UPDATE', [runs]);

    const ids = await simFleet(s.stack, 4);
    const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', targets: targetsOf(ids) });
    // Several ticks (each re-checks within a second): still nothing started, nothing sent.
    await new Promise((r) => setTimeout(r, 3000));
    const held = await getCampaign(s.stack, c.id);
    expect(held.state).toBe('running');
    expect(held.counts).toMatchObject({ pending: 4, running: 0, done: 0 });
    for (const id of ids) expect(await s.stack.simCommands(id)).toEqual([]);

    // The backlog drains (here: the held requests go away); the next look starts the campaign.
    await holder.query('DELETE FROM command_runs WHERE id = ANY($1::uuid[])', [runs]);
    await holder.query('COMMIT');
    const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
    expect(done.outcomes).toEqual({ diagnosed: 4 });
  });

  it('a request left by a cancelled remediation does not count', async () => {
    const runs = await backlog('eu-central-1', 3);
    await s.pg.query(`UPDATE remediations SET cancel_requested = true WHERE id IN (SELECT remediation_id FROM command_runs WHERE id = ANY($1::uuid[]))`, [runs]);
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM command_runs WHERE id = ANY($1::uuid[]) FOR UPDATE', [runs]);
    try {
      const ids = await simFleet(s.stack, 2, { region: 'eu-central-1' });
      const c = await createCampaign(s.stack, s.keys.fleet, { mode: 'diagnose', targets: targetsOf(ids, 'eu-central-1') });
      const done = await waitCampaign(s.stack, c.id, ['completed'], 60_000);
      expect(done.outcomes).toEqual({ diagnosed: 2 });
    } finally {
      await holder.query('ROLLBACK');
    }
  });
});
