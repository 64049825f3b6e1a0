import { randomBytes } from 'crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { CommandRunRepository, RemediationEntity, RemediationRepository, TimelineRepository } from '@rdpfix/persistence';
import { CreateApiKeyDto } from '../../apps/api/src/admin/dto/create-api-key.dto';
import { CreateRemediationDto } from '../../apps/api/src/remediations/dto/create-remediation.dto';
import { Stack } from '../support/stack';
import { errorShapeProblem } from './support/error-shape';
import { authArb, bodyArb, dtoFields, encodedBody, extraHeaders, hostileJson, idSegmentArb, Keys, request } from './support/fuzz-arbitraries';
import { RawRequest, RawResponse, sendRaw } from './support/raw-http';

/**
 * Issue 9 §7: a seeded, property-based fuzz of every mutating endpoint (and the events endpoint's
 * query and headers), CASES requests each, sent BATCH at a time. For every answer: never a 5xx,
 * and every error in the one shape. For every batch: the rows written (remediations, timeline
 * events, command runs, API keys, idempotency keys, row versions, revocations) are exactly what
 * the accepted requests account for, so a rejected request wrote nothing.
 */
const SEED = 20261128;
const CASES = 1000;
const BATCH = 50;

const ENDPOINTS = ['create', 'cancel', 'approve', 'rollback', 'keys.create', 'keys.revoke', 'events'] as const;
type Endpoint = (typeof ENDPOINTS)[number];

interface Snapshot {
  remediations: number;
  timeline: number;
  runs: number;
  keys: number;
  idem: number;
  versions: number;
  revoked: Set<string>;
}

interface Case {
  req: RawRequest;
  /** For the expected writes of an accepted create: did it carry a (valid) Idempotency-Key? */
  idem?: boolean;
  /** For revocations: the key id in the path. */
  keyId?: string;
}

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: n, maxLength: n });
const LICENSE_SERVERS = [
  'ls01.corp.example.com', 'ls01; Remove-Item C:\\', '$(calc)', '`whoami`', 'ls01\r\n', '${env:USERNAME}', "'; exit 1; '", '"quoted"', 'ӏs01', 'ls01%0d%0a',
  `${'a'.repeat(64)}.com`, '..', '-ls01', 'ls01-', '1.2.3.4.5', '::1', '[::1]', 'ls01\u0000', 'localhost', '169.254.169.254', 'ls01 .corp', `${'a'.repeat(63)}.${'b'.repeat(63)}`, '', ' ', '0x7f.1', '10.0.0.1',
];

describe('fuzz: every mutating endpoint, 1,000 seeded cases each', () => {
  let stack: Stack;
  let pg: Client;
  let base: URL;
  let keys: Keys;
  const ids: Record<string, string[]> = {};
  const histogram = new Map<Endpoint, Map<number, number>>();
  const counts = new Map<Endpoint, number>();
  const started = Date.now();

  beforeAll(async () => {
    // Failed authentication is part of the fuzz: let every such request reach its handler.
    stack = await Stack.start({ worker: 'none', config: { AUTH_FAILURES_PER_MINUTE: 1_000_000 } });
    base = new URL(stack.apiUrl);
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
    keys = {
      admin: stack.adminKey,
      support: (await stack.createKey('support')).key,
      console: (await stack.createKey('console', 'tenant-a')).key,
      fleet: (await stack.createKey('fleet')).key,
    };
    ids.keys = await Promise.all(Array.from({ length: 30 }, async () => (await stack.createKey('support')).record.id));
    ids.finished = await remediations('events');
  }, 120_000);

  afterAll(async () => {
    const ms = Date.now() - started;
    const table = [...histogram.entries()].map(([ep, h]) => `${ep.padEnd(12)} ${String(counts.get(ep) ?? 0).padStart(5)} cases  ${[...h.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    const fivexx = [...histogram.values()].reduce((n, h) => n + [...h.entries()].filter(([s]) => s >= 500).reduce((m, [, c]) => m + c, 0), 0);
    console.log(`fuzz (seeds ${SEED}+0..6, batches of ${BATCH} sent at once) in ${(ms / 1000).toFixed(1)} s; 5xx: ${fivexx}\n${table.join('\n')}`);
    await pg.end();
    await stack.close();
  });

  /**
   * Remediations in every state the actions care about (a fresh set per endpoint, so that what one
   * endpoint's fuzz did, e.g. cancelling, does not decide what the next one sees), with simulator
   * instances where ownership is checked against the inventory. For `events`: finished ones only.
   */
  async function remediations(purpose: 'actions' | 'events'): Promise<string[]> {
    const api = stack['api']!;
    const repo = api.get(RemediationRepository);
    const timeline = api.get(TimelineRepository);
    const runs = api.get(CommandRunRepository);
    const row = (p: Partial<RemediationEntity>) =>
      repo.insert({ instanceId: `i-${randomBytes(9).toString('hex').slice(0, 17)}`, region: 'eu-west-1', tenantId: 'tenant-a', mode: 'fix', strategy: 'remove-role', source: 'api', deadlineAt: new Date(Date.now() + 3600_000), ...p });
    const owned = () => stack.instance('2019', 'healthy', undefined, 'tenant-a');
    const finish = async (r: RemediationEntity) => {
      await timeline.append({ remediationId: r.id, type: 'finished', message: 'finished', data: { outcome: r.outcome } });
      return r.id;
    };
    const many = (n: number, make: () => Promise<string>) => Promise.all(Array.from({ length: n }, make));
    const change = { action: 'enable-multiple-sessions', setting: 'fSingleSessionPerUser', before: { value: 1 }, after: { value: 0 }, reversible: true, commandRunId: '00000000-0000-4000-8000-000000000000', at: new Date().toISOString() };
    const fixed = await many(6, async () => finish(await row({ instanceId: await owned(), state: 'finished', step: 'done', outcome: 'fixed', changes: [change] as never, finishedAt: new Date(Date.now() - 60_000) })));
    const diagnosed = await many(3, async () => finish(await row({ mode: 'diagnose', state: 'finished', step: 'done', outcome: 'diagnosed', finishedAt: new Date(Date.now() - 60_000) })));
    if (purpose === 'events') return [...fixed, ...diagnosed];
    const queued = await many(5, async () => (await row({ state: 'queued', step: 'precheck' })).id);
    const applying = await many(3, async () => (await row({ state: 'running', step: 'apply' })).id);
    const rebooting = await many(2, async () => {
      const r = await row({ state: 'running', step: 'reboot', rebooted: false });
      await runs.insertOrGet({ remediationId: r.id, step: 'reboot', purpose: 'reboot', attempt: 1, scriptName: 'restart-computer', scriptVersion: 1, scriptSha256: '0'.repeat(64), channel: 'ssm', instanceId: r.instanceId, region: r.region, status: 'pending', commandId: 'c-1', sentAt: new Date() });
      return r.id;
    });
    const awaiting = await many(6, async () => (await row({ instanceId: await owned(), state: 'awaiting_approval', step: 'reboot', approvalExpiresAt: new Date(Date.now() + 3600_000) })).id);
    return [...queued, ...applying, ...rebooting, ...awaiting, ...fixed, ...diagnosed];
  }

  async function snapshot(): Promise<Snapshot> {
    const [c] = (
      await pg.query(`SELECT (SELECT count(*) FROM remediations)::int AS remediations, (SELECT count(*) FROM timeline_events)::int AS timeline,
        (SELECT count(*) FROM command_runs)::int AS runs, (SELECT count(*) FROM api_keys)::int AS keys, (SELECT count(*) FROM idempotency_keys)::int AS idem,
        (SELECT coalesce(sum(version), 0) FROM remediations)::int AS versions`)
    ).rows;
    const revoked = new Set<string>((await pg.query('SELECT id FROM api_keys WHERE revoked_at IS NOT NULL')).rows.map((r: { id: string }) => r.id));
    return { ...c, revoked };
  }

  /** What an accepted request writes (no worker runs: the API is the only writer). */
  function expectedWrites(ep: Endpoint, c: Case, res: RawResponse) {
    const w = { remediations: 0, timeline: 0, runs: 0, keys: 0, idem: 0, versions: 0 };
    if (ep === 'create' && res.status === 202 && res.headers['idempotent-replayed'] !== 'true') Object.assign(w, { remediations: 1, timeline: 1, versions: 1, idem: c.idem ? 1 : 0 });
    if ((ep === 'cancel' || ep === 'approve') && res.status === 202) Object.assign(w, { timeline: 1, versions: 1 });
    if (ep === 'rollback' && res.status === 202) Object.assign(w, { remediations: 1, timeline: 2, versions: 1 });
    if (ep === 'keys.create' && res.status === 201) w.keys = 1;
    return w;
  }

  /** Sends one batch at once and checks every answer and the batch's writes. */
  async function runBatch(ep: Endpoint, cases: Case[]): Promise<void> {
    const before = await snapshot();
    const answers = await Promise.all(cases.map((c) => sendRaw(base, c.req).then((res) => ({ c, res }), (err: Error) => ({ c, err }))));
    const after = await snapshot();
    const h = histogram.get(ep) ?? new Map<number, number>();
    histogram.set(ep, h);
    counts.set(ep, (counts.get(ep) ?? 0) + cases.length);
    const problems: string[] = [];
    const expected = { remediations: 0, timeline: 0, runs: 0, keys: 0, idem: 0, versions: 0 };
    const revokedOk = new Set<string>();
    for (const a of answers) {
      const describe = () => `${a.c.req.method} ${a.c.req.path.slice(0, 120)} headers=${JSON.stringify(a.c.req.headers).slice(0, 300)} body=${a.c.req.body?.toString('utf8').slice(0, 200)}`;
      if ('err' in a) {
        h.set(0, (h.get(0) ?? 0) + 1);
        problems.push(`no answer (${a.err.message}) to ${describe()}`);
        continue;
      }
      const { res } = a;
      h.set(res.status, (h.get(res.status) ?? 0) + 1);
      if (res.status >= 500) problems.push(`${res.status} ${res.body.toString('utf8').slice(0, 300)} for ${describe()}`);
      if (res.status >= 400) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(res.body.toString('utf8'));
        } catch {
          parsed = res.body.toString('utf8').slice(0, 200);
        }
        const problem = errorShapeProblem(parsed, res.status);
        if (problem) problems.push(`${res.status} not in the one shape (${problem}) for ${describe()}`);
      }
      const w = expectedWrites(ep, a.c, res);
      for (const k of Object.keys(w) as (keyof typeof w)[]) expected[k] += w[k];
      if (ep === 'keys.revoke' && res.status === 200 && a.c.keyId) revokedOk.add(a.c.keyId);
    }
    const delta = {
      remediations: after.remediations - before.remediations,
      timeline: after.timeline - before.timeline,
      runs: after.runs - before.runs,
      keys: after.keys - before.keys,
      idem: after.idem - before.idem,
      versions: after.versions - before.versions,
    };
    if (JSON.stringify(delta) !== JSON.stringify(expected)) problems.push(`rows written ${JSON.stringify(delta)} != accounted for by accepted requests ${JSON.stringify(expected)}`);
    const newlyRevoked = [...after.revoked].filter((id) => !before.revoked.has(id));
    const wrongly = newlyRevoked.filter((id) => !revokedOk.has(id));
    if (wrongly.length) problems.push(`keys revoked without a 200: ${wrongly.join(', ')}`);
    if (problems.length) throw new Error(`${ep}: ${problems.length} problem(s):\n${problems.slice(0, 5).join('\n')}`);
  }

  async function fuzz(ep: Endpoint, one: fc.Arbitrary<Case>): Promise<void> {
    // fc.check rather than fc.assert: a failing batch is reported by runBatch's own (short)
    // message, not as 25 requests of up to 20 kB each. No shrinking: a batch is replayed by seed.
    const seed = SEED + ENDPOINTS.indexOf(ep); // one seed per endpoint: same shapes, other values
    const details = await fc.check(
      fc.asyncProperty(fc.array(one, { minLength: BATCH, maxLength: BATCH }), (batch) => runBatch(ep, batch)),
      { seed, numRuns: CASES / BATCH, endOnFailure: true },
    );
    if (details.failed) throw new Error(`seed ${seed}, run ${details.numRuns}: ${(details.errorInstance as Error)?.message ?? String(details.errorInstance)}`);
    expect(counts.get(ep)).toBe(CASES);
  }

  // --- POST /v1/remediations ------------------------------------------------------------------
  const createFields = dtoFields(CreateRemediationDto);
  const validCreate = fc.oneof(
    fc.record({ instanceId: hex(17).map((h) => `i-${h}`), region: fc.constantFrom('eu-west-1', 'us-east-1', 'cn-north-1'), mode: fc.constantFrom('diagnose', 'fix'), allowReboot: fc.boolean(), source: fc.constantFrom('ticket', 'console', 'api') }),
    fc.record({
      instanceId: hex(17).map((h) => `i-${h}`),
      region: fc.constant('eu-west-1'),
      mode: fc.constant('fix'),
      strategy: fc.constant('configure-licensing'),
      licensingMode: fc.constantFrom('per-user', 'per-device'),
      licenseServer: fc.oneof(fc.constantFrom(...LICENSE_SERVERS), fc.string({ maxLength: 70 }), fc.string({ unit: 'grapheme', maxLength: 20 })),
    }),
  );
  const createValue = (f: string): fc.Arbitrary<string> => {
    const v: Record<string, fc.Arbitrary<unknown>> = {
      instanceId: fc.oneof(hex(17).map((h) => `i-${h}`), hex(8).map((h) => `i-${h}`), fc.constantFrom('i-ABCDEF01', "i-1'; DROP TABLE remediations;--", 'mi-0123456789abcdef0')),
      region: fc.constantFrom('eu-west-1', 'EU-WEST-1', 'eu_west_1', 'us-gov-west-1', 'x'),
      mode: fc.constantFrom('diagnose', 'fix', 'rollback', 'repair', 'FIX'),
      strategy: fc.constantFrom('remove-role', 'configure-licensing', 'reset-grace-period'),
      licenseServer: fc.constantFrom(...LICENSE_SERVERS),
      licensingMode: fc.constantFrom('per-user', 'per-device', 'per-cpu'),
      allowReboot: fc.constantFrom(true, false, 'true', 1),
      source: fc.constantFrom('ticket', 'console', 'campaign', 'api', 'email'),
      callbackUrl: fc.constantFrom('https://hooks.example.com/x', 'http://hooks.example.com/x', 'https://10.0.0.1/x', 'https://hooks.example.com:0/x', 'https://user:pw@hooks.example.com/', 'javascript:alert(1)', 'https://169.254.169.254/', `https://hooks.example.com/${'a'.repeat(2100)}`),
      ticketRef: fc.constantFrom('ZD-1', 'T'.repeat(129), '<script>', 'TICKET#1/a:b', ''),
    };
    return (v[f] ?? fc.jsonValue({ maxDepth: 1 })).map((x) => JSON.stringify(x));
  };
  const idemHeader = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom('ticket-1', 'ticket-2', 'ticket-3') },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'k'.repeat(256), 'é', 'a b', 'a\u0000b') },
  );

  it(`POST /v1/remediations: ${CASES} cases`, async () => {
    const one = fc
      .record({ auth: authArb(keys), body: encodedBody(bodyArb(createFields, validCreate, createValue)), idem: idemHeader, more: extraHeaders })
      .map(({ auth, body, idem, more }): Case => {
        const extra: [string, string][] = idem === undefined ? [] : [['Idempotency-Key', idem]];
        return { req: request('POST', '/v1/remediations', auth, body, [...extra, ...more]), idem: idem !== undefined && /^[\x21-\x7e]{1,255}$/.test(idem) };
      });
    await fuzz('create', one);
  }, 300_000);

  // --- POST /v1/remediations/:id/{cancel,approve,rollback} ----------------------------------------
  const noBody = bodyArb(['force', 'reason'], fc.constant({}), () => hostileJson);
  for (const action of ['cancel', 'approve', 'rollback'] as const) {
    it(`POST /v1/remediations/:id/${action}: ${CASES} cases`, async () => {
      const known = await remediations('actions');
      const one = fc
        .record({ id: idSegmentArb(known), auth: authArb(keys), body: encodedBody(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(undefined, '{}') }, { weight: 2, arbitrary: noBody })), more: extraHeaders })
        .map(({ id, auth, body, more }): Case => ({ req: request('POST', `/v1/remediations/${id}/${action}`, auth, body, more) }));
      await fuzz(action, one);
    }, 300_000);
  }

  // --- POST /v1/admin/keys --------------------------------------------------------------------
  const keyFields = dtoFields(CreateApiKeyDto);
  const validKey = fc.oneof(
    fc.record({ name: fc.constantFrom('zendesk', 'ops 1', 'a.b-c_d'), role: fc.constantFrom('admin', 'support', 'fleet') }),
    fc.record({ name: fc.constant('console'), role: fc.constant('console'), tenantId: fc.constantFrom('tenant-a', 't.1') }),
    fc.record({ name: fc.constant('hooked'), role: fc.constant('support'), defaultCallbackUrl: fc.constantFrom('https://hooks.example.com/x', 'https://hooks.example.com:0/x'), rateLimitPerSecond: fc.integer({ min: -5, max: 200_000 }) }),
  );
  const keyValue = (f: string): fc.Arbitrary<string> => {
    const v: Record<string, fc.Arbitrary<unknown>> = {
      name: fc.constantFrom('ok', '', ' lead', 'x'.repeat(101), 'é', 'a\u0000b', '<b>'),
      role: fc.constantFrom('admin', 'support', 'console', 'fleet', 'root', 'ADMIN'),
      tenantId: fc.constantFrom('tenant-a', '', '-x', 'x'.repeat(65), '../t'),
      defaultCallbackUrl: fc.constantFrom('https://hooks.example.com/x', 'http://127.0.0.1/x', 'https://[::1]/x', 'https://hooks.example.com:0/x'),
      rateLimitPerSecond: fc.constantFrom(0, 1, 100000, 100001, 1.5, '10', -1, 1e308),
    };
    return (v[f] ?? fc.jsonValue({ maxDepth: 1 })).map((x) => JSON.stringify(x));
  };
  it(`POST /v1/admin/keys: ${CASES} cases`, async () => {
    const one = fc
      .record({ auth: authArb(keys), body: encodedBody(bodyArb(keyFields, validKey, keyValue)), more: extraHeaders })
      .map(({ auth, body, more }): Case => ({ req: request('POST', '/v1/admin/keys', auth, body, more) }));
    await fuzz('keys.create', one);
  }, 300_000);

  // --- DELETE /v1/admin/keys/:id --------------------------------------------------------------
  it(`DELETE /v1/admin/keys/:id: ${CASES} cases`, async () => {
    const one = fc
      .record({ id: idSegmentArb(ids.keys), auth: authArb(keys), body: encodedBody(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(undefined, '{}') }, { weight: 1, arbitrary: noBody })), more: extraHeaders })
      .map(({ id, auth, body, more }): Case => ({ req: request('DELETE', `/v1/admin/keys/${id}`, auth, body, more), keyId: id }));
    await fuzz('keys.revoke', one);
  }, 300_000);

  // --- GET /v1/remediations/:id/events: query and headers ---------------------------------------
  it(`GET /v1/remediations/:id/events (query and headers): ${CASES} cases`, async () => {
    // Only finished remediations (their streams end by themselves) and ids that do not stream.
    const finished = ids.finished;
    const eventIdText = fc.oneof(
      fc.constantFrom('1', '0', '-1', '01', '1.5', '1e3', '9223372036854775807', '9223372036854775808', '99999999999999999999', 'abc', '', ' 7 ', '0x10', 'null'),
      fc.bigInt({ min: 1n, max: 2n ** 70n }).map(String),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
    );
    const query = fc.array(fc.tuple(fc.constantFrom('lastEventId', 'lastEventId', 'lastEventId[]', 'lastEventId[a]', 'x', 'limit', '__proto__'), eventIdText), { maxLength: 3 });
    const one = fc
      .record({
        id: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...finished) }, { weight: 2, arbitrary: idSegmentArb(finished) }),
        query,
        lastEventId: fc.option(eventIdText.map((t) => t.replace(/[\r\n]/g, '')), { nil: undefined }),
        accept: fc.constantFrom(undefined, 'text/event-stream', 'application/json', '*/*', 'text/html'),
        auth: authArb(keys),
        more: extraHeaders,
      })
      .map(({ id, query, lastEventId, accept, auth, more }): Case => {
        const qs = query.length ? `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
        const headers: [string, string][] = [];
        if (lastEventId !== undefined) headers.push(['Last-Event-ID', lastEventId]);
        if (accept) headers.push(['Accept', accept]);
        return { req: request('GET', `/v1/remediations/${id}/events${qs}`, auth, { headers: [], body: undefined, chunked: false }, [...headers, ...more]) };
      });
    await fuzz('events', one);
  }, 300_000);
});
