import * as fs from 'fs';
import * as path from 'path';
import { SCRIPT_NAMES } from './contract';
import { loadScriptSource } from './render-script';
import { checkScriptParams, isValidServerName, SCRIPT_PARAM_EXAMPLES, SCRIPT_PARAM_SPECS } from './script-params';
import { scriptsDir } from './scripts-dir';

const change = fs.readFileSync(path.join(scriptsDir(), '_change.ps1'), 'utf8');

describe('script parameter specs', () => {
  it('accept the documented examples', () => {
    for (const name of SCRIPT_NAMES) expect(checkScriptParams(name, SCRIPT_PARAM_EXAMPLES[name])).toEqual([]);
  });

  it('report missing, unknown and invalid parameters', () => {
    expect(checkScriptParams('configure-licensing', { mode: 3 })).toEqual([
      'runId: required (the command run id (lower-case uuid); the script refuses to act twice for one run id)',
      'mode: invalid (2 = per device, 4 = per user)',
      'servers: required (1..3 comma-separated license server names)',
    ]);
    expect(checkScriptParams('diagnose', { x: 1 })).toEqual(['x: not a parameter of diagnose']);
    const boot = '2025-11-25T08:00:00Z';
    const runId = '00000000-0000-4000-8000-000000000001';
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 4, expectedBootTime: boot })).toHaveLength(1);
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 601, expectedBootTime: boot })).toHaveLength(1);
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 600, expectedBootTime: boot })).toEqual([]);
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 600 })).toEqual(['expectedBootTime | bootedBefore: exactly one is required (0 given)']);
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 600, expectedBootTime: '2025-11-25T08:00:00.000Z' })).toHaveLength(1);
    // v4: a batch's one-sided threshold instead of the instance's own boot time, never both.
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 600, bootedBefore: boot })).toEqual([]);
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 600, bootedBefore: '2025-11-25T08:00Z' })).toHaveLength(1);
    expect(checkScriptParams('restart-computer', { runId, delaySeconds: 600, bootedBefore: boot, expectedBootTime: boot })).toEqual([
      'expectedBootTime | bootedBefore: exactly one is required (2 given)',
    ]);
    expect(checkScriptParams('remove-rdsh-role', { runId })).toEqual([expect.stringMatching(/^despiteLicensing: required/)]);
    expect(checkScriptParams('remove-rdsh-role', { runId, despiteLicensing: 2 })).toHaveLength(1);
    expect(checkScriptParams('restore-licensing', { runId, mode: 1, servers: '' })).toEqual([]);
    expect(checkScriptParams('configure-licensing', { runId, mode: 2, servers: '' })).toHaveLength(1);
    expect(checkScriptParams('configure-licensing', { runId, mode: 2, servers: 'a,b,c,d' })).toHaveLength(1);
    expect(checkScriptParams('configure-licensing', { runId, mode: 2, servers: 'a, b.example.com ,10.0.0.5' })).toEqual([]);
  });

  it('mirror the patterns the scripts check on the server', () => {
    // Get-RdpfixParam $params '<key>' '<pattern>' in each body, evaluated as a JS regex.
    const samples = ['', '0', '1', '2', '3', '4', '5', '6', '30', '600', '601', '4 ', 'x', '2\r', '2025-11-25T08:00:00Z', '2025-11-25T08:00:00.5Z', '2025-11-25 08:00:00Z'];
    for (const name of SCRIPT_NAMES) {
      const body = loadScriptSource(name).body;
      for (const m of body.matchAll(/Get-RdpfixParam \$params '(\w+)' '([^']+)'/g)) {
        const [, key, pattern] = m;
        const spec = SCRIPT_PARAM_SPECS[name][key];
        expect(spec).toBeDefined();
        const re = new RegExp(pattern);
        for (const v of samples) {
          // The script's pattern may be wider (range checks follow it), never narrower.
          if (spec.valid(v)) expect({ name, key, v, ok: re.test(v) }).toEqual({ name, key, v, ok: true });
        }
      }
    }
  });

  it('validate server names like Test-RdpfixServerName', () => {
    const m = /return \(\$Name -cmatch '([^']+)'\)/.exec(change);
    expect(m).not.toBeNull();
    const psHost = new RegExp(m![1]);
    const names = [
      'ls01',
      'ls01.corp.example.com',
      '10.0.0.5',
      '256.1.1.1',
      '-bad',
      'bad-',
      'a..b',
      'a_b',
      'ls_01.corp',
      '_',
      'ls01;calc',
      "ls'01",
      'x'.repeat(64),
      'x'.repeat(65),
      'ls01.',
      '',
    ];
    for (const n of names) {
      const ipv4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(n);
      const ps = n.length >= 1 && n.length <= 64 && (ipv4 ? n.split('.').every((o) => Number(o) <= 255) : psHost.test(n));
      expect({ n, ok: isValidServerName(n) }).toEqual({ n, ok: ps });
    }
  });
});
