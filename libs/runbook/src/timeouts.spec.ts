import { SCRIPT_NAMES } from './contract';
import { MAX_EXECUTION_TIMEOUT_S, SCRIPT_MIN_EXECUTION_TIMEOUT_S, scriptExecutionTimeoutS } from './timeouts';

describe('scriptExecutionTimeoutS', () => {
  it('gives remove-rdsh-role at least 1,800 s whatever the default', () => {
    expect(scriptExecutionTimeoutS('remove-rdsh-role', 300)).toBe(1800);
    expect(scriptExecutionTimeoutS('remove-rdsh-role', 30)).toBe(1800);
    expect(scriptExecutionTimeoutS('remove-rdsh-role', 3600)).toBe(3600);
  });

  it('gives every other script the configured default', () => {
    for (const name of SCRIPT_NAMES.filter((n) => n !== 'remove-rdsh-role')) {
      expect({ name, s: scriptExecutionTimeoutS(name, 300) }).toEqual({ name, s: 300 });
    }
    expect(scriptExecutionTimeoutS('not-a-script', 120)).toBe(120);
  });

  it('never exceeds what SSM accepts', () => {
    expect(scriptExecutionTimeoutS('diagnose', 10 ** 7)).toBe(MAX_EXECUTION_TIMEOUT_S);
  });

  it('has an entry for every script', () => {
    expect(Object.keys(SCRIPT_MIN_EXECUTION_TIMEOUT_S).sort()).toEqual([...SCRIPT_NAMES].sort());
  });
});
