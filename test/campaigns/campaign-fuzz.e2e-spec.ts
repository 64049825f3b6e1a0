import fc from 'fast-check';
import { Client } from 'pg';
import { errorShapeProblem } from '../hardening/support/error-shape';
import { authArb, encodedBody, extraHeaders, hostileJson, idSegmentArb, Keys, objectText, request } from '../hardening/support/fuzz-arbitraries';
import { RawRequest, RawResponse, sendRaw } from '../hardening/support/raw-http';
import { Stack } from '../support/stack';
import { simFleet } from './support/harness';

/**
 * The campaign endpoints under the same seeded fuzz as the rest of the API (issue 9 §7): hostile
 * bodies (JSON and multipart), content types and encodings, keys and ids. Every answer is below
 * 500 and every error in the one shape; a refused request writes nothing (a batch's new campaigns
 * and targets are exactly those of the campaigns it created).
 */
const SEED = 20261202;
const BATCH = 40;
const CREATE_CASES = 1000;
const CONTROL_CASES = 200;

const FIELDS = ['name', 'mode', 'strategy', 'allowReboot', 'licenseServer', 'licensingMode', 'maxConcurrency', 'maxErrors', 'maxUnreachable', 'waves', 'waveBakeSeconds', 'callbackUrl', 'region', 'filter', 'exclude', 'targets'];
const CONTROLS = ['pause', 'resume', 'cancel', 'approve', 'retry'] as const;

interface Case {
  req: RawRequest;
}

describe('fuzz: the campaign endpoints', () => {
  let stack: Stack;
  let pg: Client;
  let base: URL;
  let keys: Keys;
  let instances: string[] = [];
  let campaigns: string[] = [];
  const histogram = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    // No worker: the API is the only writer, so a batch's writes can be accounted for exactly.
    stack = await Stack.start({ worker: 'none', config: { AUTH_FAILURES_PER_MINUTE: 1_000_000 } as never });
    base = new URL(stack.apiUrl);
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
    keys = { admin: stack.adminKey, support: (await stack.createKey('support')).key, console: (await stack.createKey('console', 'tenant-a')).key, fleet: (await stack.createKey('fleet')).key };
    instances = await simFleet(stack, 20);
  }, 120_000);

  afterAll(async () => {
    const table = [...histogram.entries()].map(([ep, h]) => `${ep.padEnd(8)} ${[...h.entries()].sort(([a], [b]) => a - b).map(([st, n]) => `${st}×${n}`).join(' ')}`);
    console.log(`campaign fuzz (seed ${SEED}):\n${table.join('\n')}`);
    await pg.end();
    await stack.close();
  });

  const counts = async () => (await pg.query(`SELECT (SELECT count(*) FROM campaigns)::int AS c, (SELECT count(*) FROM campaign_targets)::int AS t`)).rows[0] as { c: number; t: number };

  async function runBatch(ep: string, cases: Case[]): Promise<void> {
    const before = await counts();
    const answers = await Promise.all(cases.map((c) => sendRaw(base, c.req).then((res) => ({ c, res }), (err: Error) => ({ c, err }))));
    const after = await counts();
    const h = histogram.get(ep) ?? new Map<number, number>();
    histogram.set(ep, h);
    const problems: string[] = [];
    let created = 0;
    let targets = 0;
    for (const a of answers) {
      const describe = () => `${a.c.req.method} ${a.c.req.path.slice(0, 100)} headers=${JSON.stringify(a.c.req.headers).slice(0, 200)} body=${a.c.req.body?.toString('utf8').slice(0, 200)}`;
      if ('err' in a) {
        h.set(0, (h.get(0) ?? 0) + 1);
        problems.push(`no answer (${a.err.message}) to ${describe()}`);
        continue;
      }
      const res: RawResponse = a.res;
      h.set(res.status, (h.get(res.status) ?? 0) + 1);
      let parsed: any;
      try {
        parsed = JSON.parse(res.body.toString('utf8'));
      } catch {
        parsed = res.body.toString('utf8').slice(0, 200);
      }
      if (res.status >= 500) problems.push(`${res.status} ${res.body.toString('utf8').slice(0, 300)} for ${describe()}`);
      if (res.status >= 400) {
        const problem = errorShapeProblem(parsed, res.status);
        if (problem) problems.push(`${res.status} not in the one shape (${problem}) for ${describe()}`);
      }
      if (res.status === 201) {
        created++;
        targets += parsed.targets.input;
        campaigns.push(parsed.id);
      }
    }
    const delta = { c: after.c - before.c, t: after.t - before.t };
    if (delta.c !== created || delta.t !== targets) problems.push(`rows written ${JSON.stringify(delta)} != accounted for by created campaigns ${JSON.stringify({ c: created, t: targets })}`);
    if (problems.length) throw new Error(`${ep}: ${problems.length} problem(s):\n${problems.slice(0, 5).join('\n')}`);
  }

  async function fuzz(ep: string, seed: number, cases: number, one: fc.Arbitrary<Case>): Promise<void> {
    const details = await fc.check(
      fc.asyncProperty(fc.array(one, { minLength: BATCH, maxLength: BATCH }), (batch) => runBatch(ep, batch)),
      { seed, numRuns: cases / BATCH, endOnFailure: true },
    );
    if (details.failed) throw new Error(`seed ${seed}, run ${details.numRuns}: ${(details.errorInstance as Error)?.message ?? String(details.errorInstance)}`);
  }

  /** Field values: valid ones, near misses and hostile JSON. */
  const target = () =>
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ instanceId: fc.constantFrom(...instances), region: fc.constantFrom('eu-west-1', 'us-east-1') }).map((t) => JSON.stringify(t)) },
      { weight: 1, arbitrary: fc.record({ instanceId: fc.constantFrom('i-00000000000000000', 'i-xyz', '', 'I-0123456789ABCDEF0'), region: fc.constantFrom('xx-nowhere-1', 'EU-WEST-1', '') }).map((t) => JSON.stringify(t)) },
      { weight: 1, arbitrary: hostileJson },
    );
  const fieldValue = (f: string): fc.Arbitrary<string> => {
    switch (f) {
      case 'targets':
        return fc.oneof({ weight: 5, arbitrary: fc.array(target(), { maxLength: 6 }).map((ts) => `[${ts.join(',')}]`) }, { weight: 1, arbitrary: hostileJson });
      case 'mode':
        return fc.constantFrom('"diagnose"', '"fix"', '"destroy"', 'null', '1');
      case 'maxConcurrency':
      case 'maxErrors':
      case 'maxUnreachable':
        return fc.constantFrom('1', '5', '0', '-1', '"10%"', '"100%"', '"101%"', '"150%"', '"0%"', '"5 %"', '1.5', '"abc"', 'null', '1e9');
      case 'waves':
        return fc.constantFrom('[1,10,"5%","100%"]', '[10,5]', '["200%"]', '[]', '[0]', 'null', '"1,2"', `[${'1,'.repeat(30)}1]`);
      case 'filter':
      case 'exclude':
        return fc.constantFrom('{"tenantId":"tenant-a"}', '{"tags":{"a":"b"}}', '{"region":"xx-nowhere-1"}', '{}', '{"instanceIds":["i-bad"]}', '{"filters":[{"tags":{"a":1}}]}', '{"__proto__":{"x":1}}', 'null', '[]');
      default:
        return hostileJson;
    }
  };
  const keyArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', '', 'targets\u0000') });
  // Built once the simulator's instances exist (the arbitraries draw from them).
  const jsonBodyArb = () => fc.oneof(
    { weight: 6, arbitrary: fc.array(keyArb.chain((k) => fc.tuple(fc.constant(k), fc.oneof(fieldValue(k), hostileJson))), { maxLength: 8 }).map(objectText) },
    { weight: 3, arbitrary: fc.array(target(), { minLength: 1, maxLength: 5 }).map((ts) => `{"mode":"diagnose","targets":[${ts.join(',')}]}`) },
    { weight: 1, arbitrary: fc.oneof(hostileJson, fc.constantFrom('{', '{"targets":[', '{"targets":[{}', '[', '', '{"a":1}{"b":2}', '\ufeff{}')) },
  );
  /** A multipart body: a spec part and a targets file with good and junk lines, parts in either order. */
  const multipartArb = (jsonBody: fc.Arbitrary<string>) => fc
    .record({
      spec: fc.oneof(jsonBody, fc.constant('{"mode":"diagnose","region":"eu-west-1"}')),
      lines: fc.array(fc.oneof(fc.constantFrom(...instances).map((i) => `${i},eu-west-1`), fc.constantFrom(...instances), fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''))), { maxLength: 6 }),
      header: fc.boolean(),
      specFirst: fc.boolean(),
      boundary: fc.constantFrom('zz', 'rdpfix-boundary', 'x'.repeat(70)),
    })
    .map(({ spec, lines, header, specFirst, boundary }) => {
      const file = `${header ? 'instanceId,region\n' : ''}${lines.join('\n')}`;
      const parts = [`Content-Disposition: form-data; name="spec"\r\n\r\n${spec}`, `Content-Disposition: form-data; name="targets"; filename="t.csv"\r\nContent-Type: text/csv\r\n\r\n${file}`];
      if (!specFirst) parts.reverse();
      return { body: Buffer.from(`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
    });

  it(`POST /v1/campaigns: ${CREATE_CASES} cases, JSON and multipart`, async () => {
    const jsonBody = jsonBodyArb();
    const multipart = multipartArb(jsonBody);
    const fleetMostly = fc.oneof({ weight: 8, arbitrary: fc.constant(`Bearer ${keys.fleet}`) }, { weight: 3, arbitrary: authArb(keys) });
    const one: fc.Arbitrary<Case> = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fleetMostly, encodedBody(jsonBody), extraHeaders, fc.constantFrom('', '?preview=true', '?preview=maybe', '?preview=true&preview=false')).map(([auth, body, more, q]) => ({ req: request('POST', `/v1/campaigns${q}`, auth, body, more) })) },
      {
        weight: 2,
        arbitrary: fc.tuple(fleetMostly, multipart, fc.boolean()).map(([auth, mp, chunked]) => ({
          req: request('POST', '/v1/campaigns', auth, { headers: [['Content-Type', mp.contentType]], body: mp.body, chunked: chunked && mp.body.length % 5 === 0 }),
        })),
      },
    );
    await fuzz('create', SEED, CREATE_CASES, one);
    expect(campaigns.length).toBeGreaterThan(20); // valid requests were accepted too
  });

  it.each(CONTROLS)(`POST /v1/campaigns/:id/%s: ${CONTROL_CASES} cases`, async (action) => {
    const body = encodedBody(
      fc.oneof(
        fc.constantFrom('{"all":true}', '{}', '{"instanceIds":["i-bad"]}', '{"wave":0}', '{"outcomes":["failed"]}', '{"outcomes":"failed,exploded"}', '{"maxConcurrency":"150%"}', '{"all":true,"wave":1}'),
        hostileJson,
        fc.constant(undefined),
      ),
    );
    const one: fc.Arbitrary<Case> = fc
      .tuple(fc.oneof({ weight: 6, arbitrary: fc.constant(`Bearer ${keys.fleet}`) }, { weight: 2, arbitrary: authArb(keys) }), idSegmentArb(campaigns.slice(0, 30)), body, extraHeaders)
      .map(([auth, id, b, more]) => ({ req: request('POST', `/v1/campaigns/${id}/${action}`, auth, b, more) }));
    await fuzz(action, SEED + 1 + CONTROLS.indexOf(action), CONTROL_CASES, one);
  });
});
