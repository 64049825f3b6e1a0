import { REMEDIATION_EXIT, remediationExitCode } from './exit-codes';

describe('remediationExitCode', () => {
  it.each([
    [{ state: 'finished', outcome: 'fixed' }, REMEDIATION_EXIT.ok],
    [{ state: 'finished', outcome: 'already_healthy' }, REMEDIATION_EXIT.ok],
    [{ state: 'finished', outcome: 'diagnosed' }, REMEDIATION_EXIT.ok],
    [{ state: 'finished', outcome: 'rolled_back' }, REMEDIATION_EXIT.ok],
    [{ state: 'finished', outcome: 'failed' }, REMEDIATION_EXIT.failed],
    [{ state: 'finished', outcome: 'refused' }, REMEDIATION_EXIT.refused],
    [{ state: 'finished', outcome: 'cancelled' }, REMEDIATION_EXIT.cancelled],
    [{ state: 'finished', outcome: 'something_new' }, REMEDIATION_EXIT.failed],
    [{ state: 'awaiting_approval', outcome: null }, REMEDIATION_EXIT.awaitingApproval],
    [{ state: 'queued', outcome: null }, REMEDIATION_EXIT.ok],
  ])('%j -> %i', (r, code) => expect(remediationExitCode(r)).toBe(code));

  it('the codes are distinct', () => {
    const codes = Object.values(REMEDIATION_EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
