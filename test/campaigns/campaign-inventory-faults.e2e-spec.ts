import http from 'http';
import { AddressInfo } from 'net';
import { CampaignStack, resetSimStats, simFleet, simStats, startCampaignStack } from './support/harness';
import { insertCampaignRemediations, waitFinished } from './support/batch-rows';

/**
 * The inventory between rdpfix and the simulator: forwards every call, except that bulk lookups
 * answer 503 while `down`, and leave out the ids in `forgotten` (an instance the cloud no longer
 * lists). Counts the lookups it refused.
 */
class InventoryStandIn {
  target = '';
  down = false;
  readonly forgotten = new Set<string>();
  refused = 0;
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<InventoryStandIn> {
    let self!: InventoryStandIn;
    const server = http.createServer((req, res) => void self.handle(req, res));
    self = new InventoryStandIn(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const lookup = req.method === 'POST' && req.url === '/inventory/instances/lookup';
    if (lookup && this.down) {
      this.refused += 1;
      res.writeHead(503).end();
      return;
    }
    const up = await fetch(`${this.target}${req.url}`, { method: req.method, headers: { 'content-type': 'application/json' }, body: chunks.length ? Buffer.concat(chunks) : undefined });
    let body = await up.text();
    if (lookup && up.ok) {
      const parsed = JSON.parse(body) as { instances: { instanceId: string }[] };
      body = JSON.stringify({ instances: parsed.instances.filter((i) => !this.forgotten.has(i.instanceId)) });
    }
    res.writeHead(up.status, { 'content-type': 'application/json' }).end(body);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/**
 * Campaign prechecks read the inventory in bulk (inventory-batcher.ts). Unknown is not false: a
 * lookup that fails must leave every target waiting, with nothing sent to any server, and an
 * instance the answer leaves out is "not in the inventory" for that target alone.
 */
describe('campaign prechecks when the inventory fails', () => {
  let s: CampaignStack;
  let inv: InventoryStandIn;

  beforeAll(async () => {
    inv = await InventoryStandIn.start();
    s = await startCampaignStack({ config: { INVENTORY_URL: inv.url } });
    inv.target = s.stack.simUrl;
  });
  afterAll(async () => {
    await s?.close();
    await inv?.close();
  });

  it('while bulk lookups fail, 8 targets wait at their precheck and nothing reaches a server; when they answer, all 8 are diagnosed', async () => {
    const ids = await simFleet(s.stack, 8, { preset: 'healthy' });
    await resetSimStats(s.stack);
    inv.down = true;
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'diagnose' });
    // Until the prechecks have been refused several times (each retries after POLL_INTERVAL_MS).
    const until = Date.now() + 60_000;
    while (inv.refused < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(inv.refused).toBeGreaterThanOrEqual(3);
    const waiting = await s.pg.query(`SELECT state, step FROM remediations WHERE id = ANY($1::uuid[])`, [rems]);
    expect(waiting.rows.every((r) => r.state !== 'finished' && r.step === 'precheck')).toBe(true);
    const during = await simStats(s.stack);
    expect(during.calls.SendCommand ?? 0).toBe(0);
    expect(during.invocationsCreated).toBe(0);
    inv.down = false;
    const done = await waitFinished(s.pg, rems);
    expect(done.map((r) => r.outcome)).toEqual(Array(8).fill('diagnosed'));
    const after = await simStats(s.stack);
    expect(after.invocationsCreated).toBe(8);
    expect(after.inventoryCalls.get).toBe(0);
  }, 180_000);

  it('an instance the lookup leaves out fails instance_not_found and gets nothing; the others in its call are diagnosed', async () => {
    const ids = await simFleet(s.stack, 6, { preset: 'healthy' });
    const gone = ids[2];
    inv.forgotten.add(gone);
    await resetSimStats(s.stack);
    const rems = await insertCampaignRemediations(s.pg, ids, { mode: 'diagnose' });
    await waitFinished(s.pg, rems);
    const { rows } = await s.pg.query(`SELECT instance_id, outcome, reason FROM remediations WHERE id = ANY($1::uuid[]) ORDER BY instance_id`, [rems]);
    for (const r of rows) {
      if (r.instance_id === gone) expect([r.outcome, r.reason]).toEqual(['failed', 'instance_not_found']);
      else expect(r.outcome).toBe('diagnosed');
    }
    const commands = await s.stack.http('GET', `${s.stack.simUrl}/admin/instances/${gone}/commands`);
    expect(commands.body.commands).toEqual([]);
    expect((await simStats(s.stack)).invocationsCreated).toBe(5);
  }, 180_000);
});
