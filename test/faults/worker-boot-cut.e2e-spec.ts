import { ChildProcess } from 'child_process';
import { REDIS_URL, Stack } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { sleep, until } from './support/seeded';

/**
 * A worker that loses PostgreSQL while TypeORM holds its first connection at startup (the
 * extension check TypeORM runs as it connects) must not die. node-postgres emits `error` on a
 * client whose connection drops while no query runs, and TypeORM holds that client without a
 * listener: the worker ended with "Unhandled 'error' event … Connection terminated unexpectedly"
 * (exit 1), in a fresh-clone CI run of infra-outages, whose cuts landed while a slow worker booted.
 * The cut here happens at that exact point: when the worker sends the check's statement.
 */
describe('worker startup with PostgreSQL cut during its first connection', () => {
  let pgProxy: TcpProxy;
  let stack: Stack;
  let worker: ChildProcess;
  const exits: string[] = [];

  beforeAll(async () => {
    pgProxy = await TcpProxy.start('postgres://127.0.0.1:5432');
    stack = await Stack.start({ worker: 'none', routeDb: (url) => pgProxy.urlFor(url), config: { REDIS_URL, AUTH_CACHE_MS: 0 } });
  });
  afterAll(async () => {
    pgProxy.restore();
    await stack.close();
    await pgProxy.stop();
  });

  it('the worker survives the cut, connects again and finishes a remediation', async () => {
    const instanceId = await stack.instance('2019', 'cause-b');
    const rem = await stack.submit({ instanceId, mode: 'fix', allowReboot: true });
    pgProxy.cutWhenSent('CREATE EXTENSION');
    worker = stack.spawnWorker({ logLevel: 'warn' });
    worker.on('exit', (code, sig) => exits.push(`worker exited ${code ?? sig}`));
    await until('the cut during the startup check', async () => pgProxy.cutWhenSentAt, 60_000, 20);
    await sleep(1000);
    pgProxy.restore();
    const done = await until(
      'the remediation to finish',
      async () => {
        const r = await stack.http('GET', `/v1/remediations/${rem.id}`);
        return r.body.state === 'finished' ? r.body : null;
      },
      90_000,
      250,
    ).catch((err) => {
      console.warn(`worker exits ${JSON.stringify(exits)}; its output's tail:\n${stack.outputOf(worker).slice(-6000)}`);
      throw err;
    });
    expect(exits).toEqual([]);
    expect(worker.exitCode).toBeNull();
    expect(done.outcome).toBe('fixed');
    expect(stack.outputOf(worker)).toContain('a PostgreSQL connection failed');
  }, 150_000);
});
