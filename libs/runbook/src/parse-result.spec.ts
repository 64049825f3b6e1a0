import { DiagnosisFacts } from '@rdpfix/domain';
import { isAlreadyRan, parseScriptOutput } from './parse-result';

const facts: DiagnosisFacts = {
  os: { version: '6.1.7601', family: '2008R2', ps: '2.0', is64: true },
  bootTime: '2024-05-01T08:00:00Z',
  rdsh: { installed: true, terminalServerMode: 1, removalPending: false },
  graceDays: 0,
  licensing: { mode: 5, modeSource: 'local', servers: [], serversSource: 'local', statuses: [] },
  singleSession: { value: 1, source: 'local' },
  domain: { role: 3, partOfDomain: false, isDomainController: false },
  rds: { broker: false, webAccess: false, gateway: false, licensingRole: true, sessionDirectory: false, lsActivated: false, lsCalPacks: 0 },
  pendingReboot: { cbs: false, wu: false, fileRename: true },
  termService: 'running',
  listener: { up: true, port: 3389 },
  firewall: { enabled: true, rdpAllowed: true },
  denyConnections: { value: 0, source: 'local' },
  sessions: ['administrator rdp-tcp#0 2 Active . 5/1/2024 8:05 AM'],
  sessionsTruncated: false,
  unknown: {},
  errors: [],
  errorsDropped: 0,
};
/** The same server with WMI broken: every fact from WMI is null, and `unknown` says why. */
const unknownFacts: DiagnosisFacts = {
  ...facts,
  rdsh: { installed: true, terminalServerMode: null, removalPending: null },
  graceDays: null,
  licensing: { mode: null, modeSource: 'local', servers: null, serversSource: 'local', statuses: [] },
  singleSession: { value: null, source: 'local' },
  domain: { role: null, partOfDomain: null, isDomainController: false },
  rds: { broker: null, webAccess: null, gateway: null, licensingRole: null, sessionDirectory: null, lsActivated: null, lsCalPacks: null },
  pendingReboot: { cbs: null, wu: null, fileRename: null },
  termService: 'unknown',
  listener: { up: null, port: 3389 },
  firewall: { enabled: null, rdpAllowed: null },
  denyConnections: { value: null, source: null },
  sessions: null,
  unknown: { ts: 'Win32_TerminalServiceSetting: Invalid class', domain: 'Access denied', features: '', sessions: '' },
  errors: ['os: Access denied'],
  errorsDropped: 4,
};
const diagnoseLine = (f: unknown = facts) => JSON.stringify({ script: 'diagnose', version: 1, ok: true, facts: f });

describe('parseScriptOutput', () => {
  it('returns the result of the last non-empty line', () => {
    const out = `WARNING: noise\r\n{"not":"the result"}\r\n\r\n${diagnoseLine()}\r\n\r\n`;
    const r = parseScriptOutput(out);
    expect(r.kind).toBe('ok');
    if (r.kind === 'ok') {
      expect(r.result.script).toBe('diagnose');
      expect(r.result.ok).toBe(true);
      expect(r.result).toEqual(JSON.parse(diagnoseLine()));
    }
  });

  it('accepts every script kind with its fields', () => {
    const lines = [
      { script: 'verify', version: 2, ok: true, facts },
      { script: 'diagnose', version: 2, ok: true, facts: unknownFacts },
      { script: 'set-single-session', version: 1, ok: true, before: { present: false, value: null }, after: { present: true, value: 0 }, changed: true },
      { script: 'configure-licensing', version: 1, ok: true, before: { mode: 5, servers: [] }, after: { mode: 4, servers: ['ls1'] }, changed: true },
      { script: 'restore-licensing', version: 2, ok: true, before: { mode: 4, servers: ['ls1'] }, after: { mode: 4, servers: [] }, registryMode: 5, restartNeeded: true, changed: true },
      { script: 'remove-rdsh-role', version: 1, ok: true, before: { installed: true }, exitCode: 'SuccessRestartRequired', restartNeeded: true, method: 'remove-windowsfeature' },
      { script: 'restart-computer', version: 2, ok: true, scheduled: true, alreadyRestarted: false, delaySeconds: 30, bootTime: '2024-05-01T08:00:00Z' },
      { script: 'restart-computer', version: 2, ok: true, scheduled: false, alreadyRestarted: true, delaySeconds: 30, bootTime: '2024-05-01T08:09:00Z' },
    ];
    for (const l of lines) expect(parseScriptOutput(JSON.stringify(l))).toMatchObject({ kind: 'ok', result: l });
  });

  it('accepts a failed run that says why, without its other fields', () => {
    const r = parseScriptOutput('{"script":"configure-licensing","version":1,"ok":false,"error":"refused: Group Policy controls RD licensing"}\n');
    expect(r).toMatchObject({ kind: 'ok', result: { ok: false, error: 'refused: Group Policy controls RD licensing' } });
  });

  it('reports empty output as no_output, with stderr', () => {
    expect(parseScriptOutput('', 'The term is not recognized')).toEqual({
      kind: 'error',
      code: 'no_output',
      detail: 'empty stdout; stderr: The term is not recognized',
    });
    expect(parseScriptOutput(' \r\n \n')).toMatchObject({ kind: 'error', code: 'no_output' });
  });

  it.each([
    ['---Output truncated---'],
    ['--output truncated--'],
    ['---OUTPUT TRUNCATED---'],
  ])('reports %s as truncated', (marker) => {
    const line = diagnoseLine();
    const r = parseScriptOutput(`${line.slice(0, 2400)}\n${marker}`);
    expect(r).toMatchObject({ kind: 'error', code: 'truncated' });
  });

  it('reports a missing result line', () => {
    expect(parseScriptOutput('Some PowerShell error text\r\nAt line:1 char:1\r\n')).toMatchObject({
      kind: 'error',
      code: 'no_result_line',
    });
  });

  it('reports garbage as bad_json', () => {
    expect(parseScriptOutput('{"script":"diagnose","version":1,"ok":tru')).toMatchObject({ kind: 'error', code: 'bad_json' });
    expect(parseScriptOutput('{garbage}')).toMatchObject({ kind: 'error', code: 'bad_json' });
  });

  it.each([
    ['an array', '[1,2]', 'no_result_line'],
    ['an unknown script', '{"script":"format-c","version":1,"ok":true}', 'bad_shape'],
    ['a missing version', '{"script":"diagnose","ok":true,"facts":{}}', 'bad_shape'],
    ['ok as a string', '{"script":"diagnose","version":1,"ok":"true"}', 'bad_shape'],
    ['a failure without error', '{"script":"diagnose","version":1,"ok":false}', 'bad_shape'],
    ['diagnose without facts', '{"script":"diagnose","version":1,"ok":true}', 'bad_shape'],
  ])('reports %s as %s', (_label, line, code) => {
    expect(parseScriptOutput(line)).toMatchObject({ kind: 'error', code });
  });

  it.each([
    ['licensing.mode', { ...facts, licensing: { ...facts.licensing, mode: 3 } }],
    ['licensing.modeSource', { ...facts, licensing: { ...facts.licensing, modeSource: 'gpo' } }],
    ['licensing.statuses', { ...facts, licensing: { ...facts.licensing, statuses: [{ server: 'x' }] } }],
    ['unknown', { ...facts, unknown: { wmi: 'a read that does not exist' } }],
    ['unknown', { ...facts, unknown: { ts: 5 } }],
    ['errorsDropped', { ...facts, errorsDropped: -1 }],
    ['pendingReboot', { ...facts, pendingReboot: true }],
    ['firewall.enabled', { ...facts, firewall: { enabled: 'yes', rdpAllowed: true } }],
    ['rds.lsCalPacks', { ...facts, rds: { ...facts.rds, lsCalPacks: -2 } }],
    ['bootTime', { ...facts, bootTime: 'yesterday' }],
    ['graceDays', { ...facts, graceDays: -1 }],
    ['os.family', { ...facts, os: { ...facts.os, family: '2003' } }],
    ['rdsh.terminalServerMode', { ...facts, rdsh: { ...facts.rdsh, terminalServerMode: 2 } }],
    ['sessions', { ...facts, sessions: [1, 2] }],
    ['listener.port', { ...facts, listener: { up: true, port: 0 } }],
    ['domain', { ...facts, domain: undefined }],
    ['termService', { ...facts, termService: 'Running' }],
  ])('rejects facts with a bad %s', (path, bad) => {
    const r = parseScriptOutput(diagnoseLine(bad));
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.code).toBe('bad_shape');
      expect(r.detail).toContain(`facts.${path}`);
    }
  });

  it('rejects wrong script-specific fields', () => {
    const bad = [
      { script: 'set-single-session', version: 1, ok: true, before: { present: true, value: 2 }, after: { present: true, value: 0 }, changed: true },
      { script: 'configure-licensing', version: 1, ok: true, before: { mode: 4, servers: 'ls1' }, after: { mode: 4, servers: [] }, changed: true },
      { script: 'remove-rdsh-role', version: 1, ok: true, before: { installed: true }, exitCode: 'Maybe', restartNeeded: true, method: 'x' },
      { script: 'restart-computer', version: 2, ok: true, scheduled: true, delaySeconds: 30, bootTime: '2024-05-01T08:00:00Z' },
      { script: 'restore-licensing', version: 2, ok: true, before: { mode: 4, servers: [] }, after: { mode: 4, servers: [] }, changed: true },
    ];
    for (const l of bad) expect(parseScriptOutput(JSON.stringify(l))).toMatchObject({ kind: 'error', code: 'bad_shape' });
  });

  it('checks the expected script and version when given', () => {
    expect(parseScriptOutput(diagnoseLine(), '', { script: 'verify' })).toMatchObject({ kind: 'error', code: 'bad_shape' });
    expect(parseScriptOutput(diagnoseLine(), '', { script: 'diagnose', version: 2 })).toMatchObject({ kind: 'error', code: 'bad_shape' });
    expect(parseScriptOutput(diagnoseLine(), '', { script: 'diagnose', version: 1 }).kind).toBe('ok');
  });

  it('never throws on odd input', () => {
    expect(parseScriptOutput(undefined as unknown as string)).toMatchObject({ kind: 'error', code: 'no_output' });
    expect(parseScriptOutput('{"script":"diagnose","version":1,"ok":true,"facts":null}')).toMatchObject({ code: 'bad_shape' });
  });
});

describe('isAlreadyRan', () => {
  it('recognises the run-id guard\'s refusal, and nothing else', () => {
    const refused = { script: 'set-single-session', version: 2, ok: false, alreadyRan: true, runId: 'x', error: 'already_ran: run x already acted on this server; nothing was done' };
    const parsed = parseScriptOutput(`run x already ran here\r\n${JSON.stringify(refused)}\r\n`);
    expect(parsed.kind).toBe('ok');
    expect(isAlreadyRan(parsed.kind === 'ok' ? parsed.result : null)).toBe(true);
    expect(isAlreadyRan({ ...refused, ok: true })).toBe(false);
    expect(isAlreadyRan({ ...refused, alreadyRan: undefined })).toBe(false);
    expect(isAlreadyRan({ ...refused, error: 'refused: Group Policy controls it' })).toBe(false);
    expect(isAlreadyRan(null)).toBe(false);
  });
});
