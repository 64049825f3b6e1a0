import { gzipSync } from 'node:zlib';
import { SimInvocation } from '../lifecycle/invocation';
import { DEFAULT_JD_SIM_CONFIG } from './jd-sim-config';
import { scriptTextOf } from './jd-script';
import { aggregateStatus, instanceView, jdInstanceStatus, truncateJdOutput } from './jd-views';

const inv = (over: Partial<SimInvocation>): SimInvocation =>
  ({ commandId: 'c', instanceId: 'i-aaaaaaaaaa', status: 'Pending', statusDetails: 'Pending', responseCode: -1, startedAt: null, endedAt: null, interruptedAt: null, requestedAt: 0, stdout: '', stderr: '', ...over }) as SimInvocation;

describe('JD views of the shared lifecycle', () => {
  const cfg = DEFAULT_JD_SIM_CONFIG;

  it.each([
    [{ status: 'Pending', statusDetails: 'Delayed' }, 'pending'],
    [{ status: 'InProgress' }, 'running'],
    [{ status: 'Cancelling' }, 'stopping'],
    [{ status: 'Success' }, 'finish'],
    [{ status: 'Failed', statusDetails: 'Failed' }, 'failed'],
    [{ status: 'Failed', statusDetails: 'Undeliverable' }, 'aborted'],
    [{ status: 'Failed', interruptedAt: 5 }, 'error'],
    [{ status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, 'invalid'],
    [{ status: 'TimedOut', statusDetails: 'ExecutionTimedOut' }, 'timeout'],
    [{ status: 'Cancelled' }, 'cancel'],
    [{ status: 'Cancelled', startedAt: 1 }, 'terminated'],
  ] as [Partial<SimInvocation>, string][])('%j -> %s', (over, expected) => {
    expect(jdInstanceStatus(inv(over), cfg)).toBe(expected);
  });

  it('spells success as configured and aggregates like Alibaba', () => {
    expect(jdInstanceStatus(inv({ status: 'Success' }), { ...cfg, finishSpelling: 'finished' })).toBe('finished');
    expect(aggregateStatus(['finish', 'finish'], cfg)).toBe('finish');
    expect(aggregateStatus(['finish', 'failed'], cfg)).toBe('partial_failed');
    expect(aggregateStatus(['invalid', 'failed'], cfg)).toBe('failed');
    expect(aggregateStatus(['cancel', 'terminated'], cfg)).toBe('stopped');
    expect(aggregateStatus(['finish', 'running'], cfg)).toBe('running');
    expect(aggregateStatus(['pending', 'pending'], cfg)).toBe('pending');
    expect(aggregateStatus(['stopping', 'finish'], cfg)).toBe('stopping');
  });

  it('offline agents are invalid with an errorInfo; output and exit code only once over, as strings', () => {
    const off = instanceView(inv({ status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }), 'h', cfg);
    expect(off).toMatchObject({ status: 'invalid', exitCode: '', errorInfo: expect.stringContaining('云助手') });
    const running = instanceView(inv({ status: 'InProgress', stdout: 'partial' }), 'h', cfg);
    expect(running).toMatchObject({ output: '', exitCode: '' });
    const done = instanceView(inv({ status: 'Failed', statusDetails: 'Failed', responseCode: 1, stdout: 'a\r\n', stderr: 'boom\r\n' }), 'h', { ...cfg, outputEncoding: 'raw' });
    expect(done).toMatchObject({ status: 'failed', exitCode: '1', output: 'a\r\nboom\r\n', errorInfo: 'boom' });
  });

  it('truncates long output to the first 5000 and the last 1000 bytes', () => {
    const text = 'h'.repeat(7000) + 'TAIL';
    const cut = truncateJdOutput(text);
    expect(Buffer.byteLength(cut)).toBe(6000);
    expect(cut.endsWith('TAIL')).toBe(true);
    expect(truncateJdOutput('short')).toBe('short');
  });
});

describe('scriptTextOf (what a commandContent runs)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const wrap = (header: string, body: Buffer | string) =>
    b64(`${header}\n$RdpfixParams = ''\n# rdpfix-transport: gzip-base64 v1\n$RdpfixTransportBody = '${(typeof body === 'string' ? gzipSync(body) : body).toString('base64')}'\n. ([ScriptBlock]::Create($x))\n`);

  it('inflates the transport back to header + params + body', () => {
    const text = scriptTextOf(wrap('# rdpfix-script: diagnose v1', "Start-Rdpfix -Name 'diagnose' -Version 1\n"));
    expect(text.split('\n').slice(0, 3)).toEqual(['# rdpfix-script: diagnose v1', "$RdpfixParams = ''", "Start-Rdpfix -Name 'diagnose' -Version 1"]);
  });

  it('a corrupt payload, or a body of another script, is not our script any more', () => {
    expect(scriptTextOf(wrap('# rdpfix-script: diagnose v1', Buffer.from('not gzip'))).startsWith('# rdpfix-script')).toBe(false);
    expect(scriptTextOf(wrap('# rdpfix-script: diagnose v1', "Start-Rdpfix -Name 'verify' -Version 1\n")).startsWith('# rdpfix-script')).toBe(false);
    expect(scriptTextOf(b64('Get-Date\n'))).toBe('Get-Date\n');
  });
});
