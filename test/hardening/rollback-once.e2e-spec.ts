import { Client } from 'pg';
import { RollbackGuard } from '@rdpfix/remediation';
import { countScript } from '../support/commands';
import { Json, Stack } from '../support/stack';
import { expectErrorShape } from './support/error-shape';

/**
 * Issue 9 §5: a finished fix is rolled back at most once. A second rollback answers 409 naming the
 * first, whether it is still running or done; concurrent requests create one rollback; and
 * PostgreSQL refuses a second one even when the API's own check is bypassed (a race it lost).
 * Every case counts the restore commands that reached the server.
 */
describe('a remediation is rolled back at most once', () => {
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

  const fixed = async (): Promise<{ inst: string; fix: Json }> => {
    const inst = await stack.instance('2019', 'cause-a');
    const fix = await stack.waitFor((await stack.submit({ instanceId: inst, mode: 'fix' })).id);
    expect(fix.outcome).toBe('fixed');
    return { inst, fix };
  };
  const rollbacksOf = async (id: string) => Number((await pg.query('SELECT count(*) AS n FROM remediations WHERE rollback_of = $1', [id])).rows[0].n);

  it('a second rollback, while the first runs and after it succeeded, is 409 naming the first; nothing more is sent', async () => {
    const { inst, fix } = await fixed();
    const first = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(first.status).toBe(202);

    const during = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(during.status).toBe(409);
    expectErrorShape(during.body, 409);
    // Either our rule names the running rollback, or the instance's one active slot does.
    if (during.body.error === 'already_rolled_back') expect(during.body.rollbackId).toBe(first.body.id);
    else expect(during.body).toEqual(expect.objectContaining({ error: 'active_remediation_exists', activeRemediationId: first.body.id }));

    expect((await stack.waitFor(first.body.id)).outcome).toBe('rolled_back');
    const again = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(again.status).toBe(409);
    expectErrorShape(again.body, 409);
    expect(again.body).toEqual(
      expect.objectContaining({ error: 'already_rolled_back', rollbackId: first.body.id, message: `remediation ${fix.id} was already rolled back by remediation ${first.body.id}` }),
    );
    expect(await rollbacksOf(fix.id)).toBe(1);
    expect(countScript(await stack.simCommands(inst), 'set-single-session')).toBe(2); // the fix and one restore
  });

  it('concurrent rollback requests create exactly one rollback and one restore', async () => {
    const { inst, fix } = await fixed();
    const results = await Promise.all(Array.from({ length: 8 }, () => stack.http('POST', `/v1/remediations/${fix.id}/rollback`)));
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 202)) {
      expect(r.status).toBe(409);
      expectErrorShape(r.body, 409);
    }
    await stack.waitFor(accepted[0].body.id);
    expect(await rollbacksOf(fix.id)).toBe(1);
    expect(countScript(await stack.simCommands(inst), 'set-single-session')).toBe(2);
  });

  it('PostgreSQL refuses a second rollback when the API check is bypassed (the race it would lose), and the answer still names the first', async () => {
    const { inst, fix } = await fixed();
    const first = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect((await stack.waitFor(first.body.id)).outcome).toBe('rolled_back');
    // As if this request had checked just before the first rollback was written.
    const guard = stack['api']!.get(RollbackGuard);
    const real = guard.blocking.bind(guard);
    let calls = 0;
    const spy = jest.spyOn(guard, 'blocking').mockImplementation(async (id) => (++calls === 1 ? null : real(id)));
    try {
      const second = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(second.status).toBe(409);
      expect(second.body).toEqual(expect.objectContaining({ error: 'already_rolled_back', rollbackId: first.body.id }));
    } finally {
      spy.mockRestore();
    }
    expect(await rollbacksOf(fix.id)).toBe(1);
    expect(countScript(await stack.simCommands(inst), 'set-single-session')).toBe(2);
  });

  it('a rollback that changed nothing (refused for drift) does not block a later one', async () => {
    const { inst, fix } = await fixed();
    await stack.http('PATCH', `${stack.simUrl}/admin/instances/${inst}`, { overrides: { singleSession: { value: 1, source: 'local', policyValue: null } } });
    const refused = await stack.waitFor((await stack.http('POST', `/v1/remediations/${fix.id}/rollback`)).body.id);
    expect(refused).toEqual(expect.objectContaining({ outcome: 'refused', reason: 'drift' }));
    // Someone puts the fixed value back; now the rollback is possible, once.
    await stack.http('PATCH', `${stack.simUrl}/admin/instances/${inst}`, { overrides: { singleSession: { value: 0, source: 'local', policyValue: null } } });
    const retry = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(retry.status).toBe(202);
    expect((await stack.waitFor(retry.body.id)).outcome).toBe('rolled_back');
    expect((await stack.http('POST', `/v1/remediations/${fix.id}/rollback`)).body).toEqual(expect.objectContaining({ error: 'already_rolled_back', rollbackId: retry.body.id }));
  });
});
