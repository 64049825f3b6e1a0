import type { CommandRunEntity } from '@rdpfix/persistence';
import { describeCommandFailure } from './command-failure';

const run = (over: Partial<CommandRunEntity>): CommandRunEntity =>
  ({ scriptName: 'diagnose', commandId: 'c-1', status: 'failed', exitCode: 1, stderrExcerpt: '', result: null, error: null, providerStatus: 'Failed', providerStatusDetails: 'Failed', ...over }) as CommandRunEntity;

describe('describeCommandFailure', () => {
  it('recognises a server without PowerShell as unsupported_os, with advice', () => {
    const f = describeCommandFailure(run({ stderrExcerpt: "'powershell' is not recognized as an internal or external command,\r\noperable program or batch file." }));
    expect(f.reason).toBe('unsupported_os');
    expect(f.detail).toMatch(/WMF 2\.0/);
  });

  it.each([
    ['timed_out', 'command_timed_out'],
    ['undelivered', 'command_undelivered'],
    ['rejected', 'channel_error'],
    ['cancelled', 'command_failed'],
    ['failed', 'command_failed'],
    ['succeeded', 'bad_output'],
    ['running', 'internal_error'],
  ] as const)('%s -> %s', (status, reason) => {
    expect(describeCommandFailure(run({ status })).reason).toBe(reason);
  });

  it('prefers the script\'s own error, then the last stderr line', () => {
    expect(describeCommandFailure(run({ result: { error: 'policy controls fSingleSessionPerUser' } })).detail).toMatch(/policy controls/);
    expect(describeCommandFailure(run({ stderrExcerpt: 'first\nAccess is denied.\n' })).detail).toMatch(/Access is denied\.$/);
  });
});
