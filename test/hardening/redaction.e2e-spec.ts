import path from 'path';
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseApiKey } from '@rdpfix/auth';
import { Stack } from '../support/stack';
import { CapturedProcess, ROOT } from './support/child-process';

/**
 * Issue 9 §6: keys and secrets sent in the wrong place never reach a log line, in the API, the
 * worker or the simulator. The real built processes (dist/) run with request logging on; the test
 * sends credentials in every place a client might put them, captures the processes' output and
 * greps it. Each check also proves the requests were logged at all (a silent log proves nothing).
 */
describe('no key or secret in the logs of the API, the worker and the simulator', () => {
  let stack: Stack;
  let supportKey: string;
  const children: CapturedProcess[] = [];
  /** Secrets sent in this test; none may appear in any captured output. */
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
    supportKey = (await stack.createKey('support')).key;
    secrets.push(parseApiKey(stack.adminKey)!.secret, parseApiKey(supportKey)!.secret, 'plain-token-value-7f3a', 'basic-pw-9d1c', 'sigv4-signature-5e2b', 'session-token-0c4d', 'whsec-body-1a2b');
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await stack.close();
  });

  const leaks = (output: string) => secrets.filter((s) => output.includes(s));

  it('API: keys in X-Api-Key, Proxy-Authorization, Cookie, odd headers, the query string and the path are redacted', async () => {
    const api = CapturedProcess.start([path.join(ROOT, 'dist/apps/api/src/main.js')], { ...stack.env(), LOG_LEVEL: 'info', API_PORT: '0', API_HOST: '127.0.0.1' });
    children.push(api);
    const base = (await api.waitFor(/listening on (http:\/\/[^\s"]+) /))[1].replace('[::1]', '127.0.0.1');
    const enc = encodeURIComponent(supportKey).replace(/_/g, '%5F');
    const basic = Buffer.from('ops:basic-pw-9d1c').toString('base64');
    const requests: [string, Record<string, string>][] = [
      ['/v1/remediations?limit=1', { authorization: `Bearer ${stack.adminKey}`, 'x-api-key': supportKey, 'proxy-authorization': `Bearer ${supportKey}`, cookie: `sid=${supportKey}` }],
      ['/v1/remediations?limit=1', { authorization: `Bearer ${stack.adminKey}`, 'x-auth-token': 'plain-token-value-7f3a', 'x-custom-thing': `see ${supportKey}` }],
      [`/v1/remediations?api_key=${supportKey}`, { authorization: `Bearer ${stack.adminKey}` }],
      ['/v1/remediations?access_token=plain-token-value-7f3a&limit=1', { authorization: `Bearer ${stack.adminKey}` }],
      [`/v1/remediations/${supportKey}`, { authorization: `Bearer ${stack.adminKey}` }],
      [`/v1/remediations/${enc}/cancel`, { authorization: `Bearer ${stack.adminKey}` }],
      [`/${supportKey}`, {}],
      ['/v1/remediations', { authorization: `Basic ${basic}` }],
      ['/v1/remediations', { authorization: `Bearer ${supportKey}x` }],
      ['/v1/remediations?secret=whsec-body-1a2b', { authorization: `Bearer ${stack.adminKey}` }],
    ];
    for (const [p, headers] of requests) await fetch(`${base}${p}`, { headers, method: p.endsWith('/cancel') ? 'POST' : 'GET' }).then((r) => r.text());
    // Every request is logged (pino-http, one JSON line each), and some redaction is visible.
    const lines = async () => api.output.split('\n').filter((l) => l.includes('"responseTime"'));
    const end = Date.now() + 10_000;
    while ((await lines()).length < requests.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect((await lines()).length).toBeGreaterThanOrEqual(requests.length);
    expect(api.output).toContain('[redacted]');
    expect(api.output).toContain(`rdpfix_${parseApiKey(supportKey)!.prefix}_[redacted]`); // the prefix names the key; it is kept
    expect(leaks(api.output)).toEqual([]);
  });

  it('worker: whatever is logged (messages, objects, errors) leaves the process redacted', async () => {
    const script = `
      const { loadConfig } = require('./dist/libs/config/src');
      const { createWorkerApp } = require('./dist/apps/worker/src/bootstrap');
      const { Logger } = require('@nestjs/common');
      (async () => {
        const app = await createWorkerApp(loadConfig());
        const log = new Logger('RedactionProbe');
        log.log('webhook to https://hooks.example.com/x?token=plain-token-value-7f3a failed');
        log.warn('a request carried ${supportKey} in its path');
        log.error(new Error('boom with ${stack.adminKey}').stack);
        log.log({ msg: 'headers', headers: { 'x-api-key': 'plain-token-value-7f3a', authorization: 'Basic ${Buffer.from('ops:basic-pw-9d1c').toString('base64')}' }, webhookSecret: 'whsec-body-1a2b' });
        log.log('probe done');
        await app.close();
        setTimeout(() => process.exit(0), 200);
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const worker = CapturedProcess.start(['-e', script], { ...stack.env(), LOG_LEVEL: 'info' });
    children.push(worker);
    await worker.waitFor(/probe done/);
    expect(await worker.exited).toBe(0);
    expect(worker.output.match(/RedactionProbe/g)?.length).toBeGreaterThanOrEqual(5);
    expect(leaks(worker.output)).toEqual([]);
  });

  it('simulator: keys in paths and query strings, SigV4 signatures and session tokens are not logged', async () => {
    const sim = CapturedProcess.start([path.join(ROOT, 'dist/apps/agent-sim/src/main.js')], { ...process.env, SIM_PORT: '0', SIM_HOST: '127.0.0.1' });
    children.push(sim);
    const base = (await sim.waitFor(/agent-sim on (http:\/\/[0-9.]+:\d+)/))[1];
    for (const p of [`/inventory/instances/${supportKey}`, `/admin/instances?tenantId=${supportKey}`, '/health?api_key=plain-token-value-7f3a', `/admin/faults?token=${stack.adminKey}`]) {
      await fetch(`${base}${p}`, { headers: { 'x-api-key': supportKey, 'proxy-authorization': `Bearer ${supportKey}` } }).then((r) => r.text());
    }
    // A real SSM call: SigV4 Authorization and a session token in the headers.
    const ssm = new SSMClient({ endpoint: base, region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'sigv4-signature-5e2b', sessionToken: 'session-token-0c4d' }, maxAttempts: 1 });
    await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: ['Write-Output 1'] } })).catch(() => undefined);
    ssm.destroy();
    const end = Date.now() + 10_000;
    while ((sim.output.match(/AgentSimHttp/g)?.length ?? 0) < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(sim.output.match(/AgentSimHttp/g)?.length).toBeGreaterThanOrEqual(5);
    expect(sim.output).toContain('AmazonSSM.SendCommand');
    expect(sim.output).toContain('[redacted]');
    expect(leaks(sim.output)).toEqual([]);
  });
});
