import { factsFixture } from '@rdpfix/domain/planner/testing/facts-fixture';
import { notReadyAfterRestart } from './verify.step';

describe('notReadyAfterRestart (verify with patience)', () => {
  const before = new Date('2025-01-01T00:00:00Z');
  const later = '2025-01-01T01:00:00Z';

  it('waits while the boot time has not changed (clock steps within the tolerance included)', () => {
    expect(notReadyAfterRestart(factsFixture({ bootTime: '2025-01-01T00:00:00Z' }), before)).toMatch(/boot time unchanged/);
    expect(notReadyAfterRestart(factsFixture({ bootTime: '2025-01-01T00:01:30Z' }), before)).toMatch(/boot time unchanged/);
  });

  it('waits for TermService and the listener after the agent is back', () => {
    expect(notReadyAfterRestart(factsFixture({ bootTime: later, termService: 'stopped' }), before)).toBe('TermService is stopped');
    expect(notReadyAfterRestart(factsFixture({ bootTime: later, termService: 'unknown' }), before)).toBe('TermService is unknown');
    expect(notReadyAfterRestart(factsFixture({ bootTime: later, listener: { up: false, port: 3389 } }), before)).toMatch(/listener is not up yet/);
    expect(notReadyAfterRestart(factsFixture({ bootTime: later, listener: { up: null, port: 3389 } }), before)).toMatch(/could not be checked yet/);
  });

  it('decides once the new boot, TermService and the listener are all there', () => {
    expect(notReadyAfterRestart(factsFixture({ bootTime: later }), before)).toBeNull();
  });
});
