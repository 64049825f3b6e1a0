import { Stack } from '../support/stack';
import { SwitchableEndpoint } from './support/switchable-endpoint';

/**
 * Issue 8 defect 7 / issue 11 item 1: a regional SSM endpoint that accepts connections and never
 * answers must not hold a worker slot. With ONE slot, a remediation in the hung region keeps
 * rescheduling (bounded calls, each timed out), another region's remediation still runs to the
 * end, and once the endpoint answers again the hung one completes — its diagnose sent once.
 */
describe('a hung channel endpoint', () => {
  let stack: Stack;
  let endpoint: SwitchableEndpoint;

  beforeAll(async () => {
    // The simulator's URL is only known once the stack runs: start the endpoint in front of a
    // placeholder, then point it at the simulator (it forwards only when switched).
    const placeholder = await SwitchableEndpoint.start('http://127.0.0.1:9');
    stack = await Stack.start({
      config: {
        WORKER_CONCURRENCY: 1,
        CHANNEL_ENDPOINTS: JSON.stringify({ 'eu-west-3': placeholder.url }),
        CHANNEL_CONNECT_TIMEOUT_MS: 500,
        CHANNEL_REQUEST_TIMEOUT_MS: 600,
        CHANNEL_MAX_ATTEMPTS: 1,
      },
    });
    endpoint = placeholder;
    endpoint.retarget(stack.simUrl);
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await endpoint?.close();
  });

  it('releases the slot in bounded time, lets other work through, and resumes when the endpoint answers', async () => {
    const hungInstance = await stack.instance('2019', 'cause-a', undefined, 'tenant-a', 'eu-west-3');
    const healthyInstance = await stack.instance('2019', 'cause-a', undefined, 'tenant-a', 'eu-west-1');

    const stuck = await stack.submit({ instanceId: hungInstance, region: 'eu-west-3', mode: 'diagnose' });
    // Each channel call in the hung region is one accepted-and-never-answered connection; seeing
    // several means every call gave up and the remediation was rescheduled, not held.
    await until(() => endpoint.hungConnections >= 3, 30_000, 'the hung region was retried three times');

    // The only slot is not held: another region's remediation runs to the end meanwhile.
    const other = await stack.submit({ instanceId: healthyInstance, region: 'eu-west-1', mode: 'diagnose' });
    const done = await stack.waitFor(other.id, ['finished'], 60_000);
    expect(done.outcome).toBe('diagnosed');
    expect((await stack.get(stuck.id)).state).not.toBe('finished');

    // The endpoint answers again: the rescheduled remediation completes.
    endpoint.mode = 'forward';
    const resumed = await stack.waitFor(stuck.id, ['finished'], 60_000);
    expect(resumed.outcome).toBe('diagnosed');
    expect(endpoint.forwardedConnections).toBeGreaterThan(0);
    const diagnoses = (await stack.simCommands(hungInstance)).filter((c) => c.scriptName === 'diagnose');
    expect(diagnoses).toHaveLength(1);
  }, 150_000);
});

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
