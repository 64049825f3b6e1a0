import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { CommandRunEntity, CommandRunRepository, RemediationEntity, RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import { countStatements as countStatementsOf } from '../support/count-statements';
import { requestedRunRow, runningRemediationRow } from '../support/persistence-rows';
import { openTestDatabase } from '../support/test-database';

/**
 * The engine's hot writes are single statements (issue 10: fewer round trips per step): a step's
 * compare-and-set and its timeline events, and a command's request row and its event. These prove
 * the statements keep the guarantees the transactions gave, against real PostgreSQL.
 */
describe('single-statement step writes', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let ds: DataSource;
  let remediations: RemediationRepository;
  let runs: CommandRunRepository;
  let timeline: TimelineRepository;

  beforeAll(async () => {
    db = await openTestDatabase('stepw');
    ds = db.ds;
    remediations = new RemediationRepository(ds);
    runs = new CommandRunRepository(ds);
    timeline = new TimelineRepository(ds);
  });
  afterAll(() => db?.close());

  const countStatements = <T>(fn: () => Promise<T>) => countStatementsOf(ds, fn);

  const newRemediation = () => remediations.insert(runningRemediationRow());

  it('a won compare-and-set returns the new row (as a fresh read would) and writes its events in order', async () => {
    const r = await newRemediation();
    const facts = { bootTime: '2026-12-01T10:00:00Z', nested: { a: [1, 2] } };
    const saved = await remediations.updateIfVersionWithEvents(r.id, r.version, { step: 'plan', facts: facts as never, bootTimeBefore: new Date('2026-12-01T10:00:00Z') }, [
      { type: 'diagnosed', step: 'diagnose', message: 'first', data: { n: 1 } },
      { type: 'step_started', step: 'plan', message: 'second' },
      { type: 'third', step: 'plan', message: 'third', data: { quote: `it's "quoted" \\ back` } },
    ]);
    expect(saved).not.toBeNull();
    expect(saved).toEqual(await remediations.findById(r.id));
    expect(saved).toBeInstanceOf(RemediationEntity);
    expect(saved!.version).toBe(r.version + 1);
    expect(saved!.facts).toEqual(facts);
    expect(saved!.bootTimeBefore).toEqual(new Date('2026-12-01T10:00:00Z'));
    const events = await timeline.list(r.id);
    expect(events.map((e) => [e.type, e.step, e.message, e.data])).toEqual([
      ['diagnosed', 'diagnose', 'first', { n: 1 }],
      ['step_started', 'plan', 'second', null],
      ['third', 'plan', 'third', { quote: `it's "quoted" \\ back` }],
    ]);
  });

  it('a lost compare-and-set changes nothing and writes no event', async () => {
    const r = await newRemediation();
    await remediations.updateIfVersion(r.id, r.version, { step: 'plan' });
    const lost = await remediations.updateIfVersionWithEvents(r.id, r.version, { step: 'apply' }, [{ type: 'x', step: 'plan', message: 'must not appear' }]);
    expect(lost).toBeNull();
    expect((await remediations.findById(r.id))!.step).toBe('plan');
    expect(await timeline.list(r.id)).toEqual([]);
  });

  it('of eight racing writers with one version, exactly one wins and only its events exist', async () => {
    const r = await newRemediation();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => remediations.updateIfVersionWithEvents(r.id, r.version, { stepData: { writer: i } as never }, [{ type: 'w', step: 'diagnose', message: `writer ${i}` }])),
    );
    const winners = results.map((x, i) => (x ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    const events = await timeline.list(r.id);
    expect(events.map((e) => e.message)).toEqual([`writer ${winners[0]}`]);
    expect((await remediations.findById(r.id))!.stepData).toEqual({ writer: winners[0] });
  });

  it('saveStep: the row it builds without reading equals a fresh read after every step of a fix, and it loses a race like the full write', async () => {
    let r = (await newRemediation())!;
    const at = new Date('2026-12-01T10:00:00.123Z');
    // Patches shaped like the engine's: jsonb with Dates, undefined keys, nulls, arrays; timestamps as Date and as string.
    const patches: Partial<RemediationEntity>[] = [
      { state: 'running' },
      { step: 'plan', facts: { bootTime: at, grace: { daysLeft: 12, mode: null }, roles: ['RDS-RD-Server'], skip: undefined } as never, bootTimeBefore: at },
      { step: 'apply', plan: { actions: [{ kind: 'remove-role', args: { at } }] } as never, stepData: { diagnoseAttempt: 1, when: at } as never },
      { stepData: { applyAttempt: 1, ending: undefined } as never, changes: [{ key: 'HKLM\\x', before: 2, after: null }] as never },
      { step: 'reboot', rebooted: true, stepData: {} as never, approvalExpiresAt: '2026-12-02T00:00:00.5Z' as never },
      { state: 'finished', step: 'done', outcome: 'fixed', reason: null, reasonDetail: 'It\'s "fixed"', verification: { ok: true, n: 0.1 + 0.2 } as never, finishedAt: new Date() },
    ];
    for (const patch of patches) {
      const saved = await remediations.saveStep(r, patch, [{ type: 't', step: r.step, message: 'm' }]);
      expect(saved).toBeInstanceOf(RemediationEntity);
      expect(saved).toEqual(await remediations.findById(r.id));
      r = saved!;
    }
    expect(await timeline.list(r.id)).toHaveLength(patches.length);
    // A stale row loses, changes nothing and writes no event; of racing writers one wins.
    const stale = { ...r, version: r.version - 1 } as RemediationEntity;
    expect(await remediations.saveStep(stale, { reasonDetail: 'no' }, [{ type: 'x', step: 'done', message: 'must not appear' }])).toBeNull();
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => remediations.saveStep(r, { stepData: { writer: i } as never }, [])));
    expect(racing.filter((x) => x !== null)).toHaveLength(1);
    expect(await remediations.findById(r.id)).toEqual(racing.find((x) => x !== null));
    expect((await timeline.list(r.id)).map((e) => e.type)).not.toContain('x');
  });

  it('saveStep: writes of many remediations in one turn go as one statement; each row equals a fresh read, events keep their order, stale and duplicate writers lose', async () => {
    const at = new Date('2026-12-01T10:00:00.123Z');
    const rows = await Promise.all(Array.from({ length: 12 }, () => newRemediation()));
    // Patches of different shapes in one turn (as lanes at different steps give).
    const patches: Partial<RemediationEntity>[] = [
      { step: 'plan', facts: { bootTime: at, roles: ['RDS-RD-Server'], skip: undefined } as never, bootTimeBefore: at },
      { step: 'apply', plan: { actions: [{ kind: 'remove-role' }] } as never, stepData: { when: at } as never },
      { stepData: {} as never, changes: [{ key: 'HKLM\\x', before: 2, after: null }] as never, rebooted: true },
      { state: 'finished', step: 'done', outcome: 'fixed', reason: null, reasonDetail: `It's "fixed"`, verification: 'a jsonb string' as never, finishedAt: at },
      { facts: null, approvalExpiresAt: '2026-12-02T00:00:00.5Z' as never },
    ];
    const { value: saved, statements } = await countStatements(() =>
      Promise.all([
        ...rows.map((r, i) =>
          remediations.saveStep(r, patches[i % patches.length], [
            { type: 'first', step: r.step, message: `first of ${i}`, data: { i } },
            { type: 'second', step: r.step, message: `second of ${i}` },
          ]),
        ),
        // A stale writer and a second writer of row 0 at the same version: both must lose.
        remediations.saveStep({ ...rows[1], version: rows[1].version - 1 } as RemediationEntity, { reasonDetail: 'stale' }, [{ type: 'x', step: 'diagnose', message: 'must not appear' }]),
        remediations.saveStep(rows[0], { reasonDetail: 'duplicate' }, [{ type: 'x', step: 'diagnose', message: 'must not appear' }]),
      ]),
    );
    // The 12 and the stale one in one statement; the duplicate of row 0 in the next turn's. The
    // stale one loses; of row 0's two writers (same version) exactly one wins, with its events only.
    expect(statements).toBe(2);
    expect(saved[12]).toBeNull();
    const row0 = await remediations.findById(rows[0].id);
    if (saved[13]) {
      expect(saved[0]).toBeNull();
      expect(saved[13]).toEqual(row0);
      expect(row0!.reasonDetail).toBe('duplicate');
      expect((await timeline.list(rows[0].id)).map((e) => e.type)).toEqual(['x']);
    } else {
      expect(saved[0]).toEqual(row0);
      expect((await timeline.list(rows[0].id)).map((e) => e.type)).toEqual(['first', 'second']);
    }
    for (let i = 1; i < rows.length; i++) {
      expect(saved[i]).toBeInstanceOf(RemediationEntity);
      expect(saved[i]).toEqual(await remediations.findById(rows[i].id));
      expect(saved[i]!.version).toBe(rows[i].version + 1);
      const events = await timeline.list(rows[i].id);
      expect(events.map((e) => [e.type, e.message, e.data])).toEqual([
        ['first', `first of ${i}`, { i }],
        ['second', `second of ${i}`, null],
      ]);
    }
    expect(saved[3]!.verification).toBe('a jsonb string');
    expect(saved[4]!.facts).toBeNull();
    expect(saved[1]!.reasonDetail).toBeNull();
  });

  const row = (r: RemediationEntity, id = randomUUID()): Partial<CommandRunEntity> => requestedRunRow(r, { id });

  it('a request writes its row and one command_requested event; racing requests get the first row and no second event', async () => {
    const r = await newRemediation();
    const got = await Promise.all(Array.from({ length: 6 }, () => runs.request(row(r), { message: 'requested diagnose', data: { script: 'diagnose', batched: true } })));
    const ids = new Set(got.map((g) => g.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(got[0]).toEqual(await runs.findById(id));
    expect(got[0].parameters).toEqual({ a: 1 });
    expect(got[0].batchKey).toBe('diagnose@1:x');
    const events = await timeline.list(r.id);
    expect(events.map((e) => [e.type, e.step, e.data])).toEqual([['command_requested', 'diagnose', { script: 'diagnose', batched: true, commandRunId: id }]]);
  });

  it('requests of many remediations in one turn go as one statement per set of columns; an existing run is returned with no second event', async () => {
    const rs = await Promise.all(Array.from({ length: 9 }, () => newRemediation()));
    const earlier = await runs.request(row(rs[0]), { message: 'requested', data: { n: 0 } });
    const { value: got, statements } = await countStatements(() =>
      Promise.all(
        rs.map((r, i) => {
          const x = row(r);
          // Two shapes: one leaves batch_key (a single fix's) and attempt out (their defaults apply), one has no event.
          if (i % 3 === 1) delete x.batchKey, delete x.attempt;
          return runs.request(x, i % 3 === 2 ? undefined : { message: `requested ${i}`, data: { n: i } });
        }),
      ),
    );
    // The six batched requests in one statement, the three unbatched ones alone (a single fix's
    // request is never shared), and one read of the run that existed already.
    expect(statements).toBe(5);
    expect(got[0]).toEqual(earlier);
    for (let i = 0; i < rs.length; i++) {
      expect(got[i]).toEqual(await runs.findById(got[i].id));
      expect(got[i].remediationId).toBe(rs[i].id);
      expect(got[i].attempt).toBe(1);
      expect(got[i].batchKey).toBe(i % 3 === 1 ? null : 'diagnose@1:x');
      expect(got[i].status).toBe('requested');
      expect(got[i].requestedAt).toBeInstanceOf(Date);
      const events = (await timeline.list(rs[i].id)).map((e) => [e.type, e.step, e.message, e.data]);
      if (i === 0) expect(events).toEqual([['command_requested', 'diagnose', 'requested', { n: 0, commandRunId: earlier.id }]]);
      else if (i % 3 === 2) expect(events).toEqual([]);
      else expect(events).toEqual([['command_requested', 'diagnose', `requested ${i}`, { n: i, commandRunId: got[i].id }]]);
    }
  });

  it('reading a row with its runs in one statement gives what separate reads give (dates, jsonb, nulls), for one row and for many, less the runs\' stdout', async () => {
    const a = await newRemediation();
    const b = await newRemediation();
    const none = await newRemediation();
    const first = await runs.request(row(a), { message: 'requested', data: {} });
    await runs.transition(first.id, ['requested'], {
      status: 'succeeded',
      exitCode: 0,
      startedAt: new Date('2026-12-01T10:00:00.123Z'),
      finishedAt: new Date('2026-12-01T10:00:01.456Z'),
      result: { ok: true, list: [1, 'two', null], nested: { deep: { x: 1.5 } } },
      stdoutExcerpt: 'line 1\nline "2"',
      truncated: true,
    });
    await runs.request({ ...row(a), purpose: 'verify', step: 'verify' }, { message: 'requested', data: {} });
    await runs.request({ ...row(b), parameters: {} }, { message: 'requested', data: {} });
    const byId = (list: CommandRunEntity[]) => [...list].sort((x, y) => x.id.localeCompare(y.id));
    // The engine's copy leaves out stdout_excerpt (it never reads it): the rest must be identical.
    const listed = async (id: string) => byId(await runs.listForRemediation(id)).map((r) => Object.assign(r, { stdoutExcerpt: undefined }));
    const one = await remediations.findByIdWithRuns(a.id);
    expect(one!.row).toEqual(await remediations.findById(a.id));
    expect(byId(one!.runs)).toEqual(await listed(a.id));
    expect(one!.runs.find((r) => r.id === first.id)!.stdoutExcerpt).toBeUndefined();
    expect((await runs.findById(first.id))!.stdoutExcerpt).toBe('line 1\nline "2"');
    expect(one!.runs.find((r) => r.id === first.id)!.finishedAt).toEqual(new Date('2026-12-01T10:00:01.456Z'));
    expect(one!.runs[0]).toBeInstanceOf(CommandRunEntity);
    const many = await remediations.findManyWithRuns([a.id, b.id, none.id, randomUUID()]);
    expect(many.map((m) => m.row.id).sort()).toEqual([a.id, b.id, none.id].sort());
    for (const m of many) {
      expect(m.row).toEqual(await remediations.findById(m.row.id));
      expect(byId(m.runs)).toEqual(await listed(m.row.id));
    }
    expect(many.find((m) => m.row.id === none.id)!.runs).toEqual([]);
    expect(await remediations.findByIdWithRuns(randomUUID())).toBeNull();
    // Shared reads asked for in one turn (campaign starts) are one statement and answer each its own row.
    const { value: together, statements } = await countStatements(() => Promise.all([a.id, b.id, randomUUID(), none.id].map((id) => remediations.findByIdWithRunsShared(id))));
    expect(statements).toBe(1);
    expect(together[2]).toBeNull();
    for (const [i, id] of [[0, a.id], [1, b.id], [3, none.id]] as const) {
      expect(together[i]!.row).toEqual(await remediations.findById(id));
      expect(byId(together[i]!.runs)).toEqual(await listed(id));
    }
  });

  it('timeline append returns the stored event', async () => {
    const r = await newRemediation();
    const e = await timeline.append({ remediationId: r.id, type: 't', message: 'm', data: { k: 'v' }, actor: { role: 'support', keyId: 'k' } as never });
    expect(e).toEqual((await timeline.list(r.id))[0]);
    expect(e.at).toBeInstanceOf(Date);
  });
});
