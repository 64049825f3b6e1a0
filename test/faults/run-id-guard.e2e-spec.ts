import { Client } from 'pg';
import { SsmCommandChannel } from '@rdpfix/channel';
import { isAlreadyRan, parseScriptOutput, renderScript, ScriptName } from '@rdpfix/runbook';
import { Stack } from '../support/stack';
import { ledger, waitUntil } from './support/send-faults';

/**
 * The second line of defence (issue 8): a changing script refuses to act twice for one run id.
 * The engine passes the command run's id as the script's runId; a duplicate delivery of the very
 * same command (same text, same run id) reaches the simulated server, which must refuse it with
 * already_ran — a non-changing outcome — and leave the server as it was.
 */
describe('the run-id guard of the changing scripts', () => {
  let stack: Stack;
  let pg: Client;
  beforeAll(async () => {
    stack = await Stack.start();
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  it('the engine sends runId = the command run id; a replay of that command does nothing and says already_ran', async () => {
    const id = await stack.instance('2019', 'cause-a');
    const rem = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix' })).id, ['finished'], 60_000);
    expect(rem.outcome).toBe('fixed');
    const { rows } = await pg.query(`SELECT id, script_name, parameters FROM command_runs WHERE remediation_id = $1 AND script_name = 'set-single-session'`, [rem.id]);
    expect(rows).toHaveLength(1);
    const run = rows[0];
    expect(run.parameters.runId).toBe(run.id);
    expect((await ledger(stack, id)).runs).toEqual([{ script: 'set-single-session', runId: run.id, received: 1, executed: 1, refused: 0 }]);

    // Someone sets the value back by hand; then the same command is delivered a second time.
    const patched = await stack.http('PATCH', `${stack.simUrl}/admin/instances/${id}`, { overrides: { singleSession: { value: 1 } } });
    expect(patched.status).toBe(200);
    const channel = new SsmCommandChannel({ endpointFor: () => stack.simUrl, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 2 });
    try {
      const text = renderScript(run.script_name as ScriptName, run.parameters).text;
      const { commandId } = await channel.send({ region: 'eu-west-1', instanceIds: [id], scriptText: text, marker: `replay:${run.id}`, executionTimeoutS: 60, deliveryTimeoutS: 60 });
      const res = await waitUntil('the replay to end', async () => {
        const r = await channel.result('eu-west-1', commandId, id);
        return r && ['succeeded', 'failed'].includes(r.status) ? r : undefined;
      });
      const parsed = parseScriptOutput(res.stdout, res.stderr, { script: 'set-single-session' });
      expect(parsed.kind).toBe('ok');
      expect(isAlreadyRan(parsed.kind === 'ok' ? parsed.result : null)).toBe(true);
    } finally {
      channel.destroy();
    }
    expect((await ledger(stack, id)).runs).toEqual([{ script: 'set-single-session', runId: run.id, received: 2, executed: 1, refused: 1 }]);
    // The replay did nothing: the value set by hand is still there.
    const detail = (await stack.http('GET', `${stack.simUrl}/admin/instances/${id}`)).body;
    expect(detail.instance.singleSession.value).toBe(1);
  }, 90_000);
});
