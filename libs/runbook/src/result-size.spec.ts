import { DiagnosisFacts, FACT_READS } from '@rdpfix/domain';
import { asciiJsonString, limitJsonText, stringifyAsciiJson } from './ascii-json';
import { RESULT_CAPS } from './caps';
import { MAX_RESULT_LINE_CHARS } from './contract';
import { parseScriptOutput } from './parse-result';

/** The worst strings a check can produce: non-ASCII and quotes expand most when escaped. */
const WIDE = '张"\\'.repeat(200);
const capped = (max: number) => limitJsonText(WIDE + 'x'.repeat(500), max);
const escapedLength = (s: string) => asciiJsonString(s).length - 2;

/**
 * An upper bound of the diagnose line: every field at its largest known value AND every read
 * listed as unknown (the first RESULT_CAPS.unknownMessages with the longest text). A real line is
 * shorter, since a failed read leaves its facts null.
 */
function worstCaseFacts(): DiagnosisFacts {
  const servers = Array.from({ length: RESULT_CAPS.servers }, () => capped(RESULT_CAPS.serverChars));
  return {
    // [string]major.minor.build of an Int32 build number: the longest version text possible.
    os: { version: '10.0.2147483647', family: '2008R2', ps: capped(RESULT_CAPS.psVersionChars), is64: false },
    bootTime: '2025-12-31T23:59:59Z',
    rdsh: { installed: false, terminalServerMode: 0, removalPending: false },
    graceDays: 999999999,
    licensing: {
      mode: 5,
      modeSource: 'policy',
      servers,
      serversSource: 'policy',
      statuses: servers.map(() => -2147483648),
    },
    singleSession: { value: 0, source: 'policy' },
    domain: { role: 5, partOfDomain: false, isDomainController: false },
    rds: { broker: false, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false, lsActivated: false, lsCalPacks: 2147483647 },
    pendingReboot: { cbs: false, wu: false, fileRename: false },
    termService: 'unknown',
    listener: { up: false, port: 65535 },
    firewall: { enabled: false, rdpAllowed: false },
    denyConnections: { value: 0, source: 'policy' },
    sessions: Array.from({ length: RESULT_CAPS.sessionRows }, () => capped(RESULT_CAPS.sessionRowChars)),
    sessionsTruncated: false,
    unknown: Object.fromEntries(FACT_READS.map((r, i) => [r, i < RESULT_CAPS.unknownMessages ? capped(RESULT_CAPS.unknownChars) : ''])),
    errors: Array.from({ length: RESULT_CAPS.errors }, () => capped(RESULT_CAPS.errorChars)),
    errorsDropped: 2147483647,
  };
}

describe('result line size', () => {
  it('limitJsonText caps the escaped length, never the raw length', () => {
    for (const max of [1, 5, 6, 7, 80, 100]) {
      const s = limitJsonText(WIDE, max);
      expect(escapedLength(s)).toBeLessThanOrEqual(max);
      expect(escapedLength(limitJsonText(WIDE, max + 6))).toBeGreaterThan(escapedLength(s));
    }
    expect(limitJsonText('abc', 80)).toBe('abc');
    // A surrogate pair is kept whole or dropped whole.
    expect(limitJsonText('ab😀', 8)).toBe('ab');
    expect(limitJsonText('ab😀', 14)).toBe('ab😀');
  });

  it('the worst-case diagnose line stays under MAX_RESULT_LINE_CHARS', () => {
    const facts = worstCaseFacts();
    for (const row of facts.sessions!) expect(escapedLength(row)).toBe(RESULT_CAPS.sessionRowChars);
    for (const [, msg] of Object.entries(facts.unknown).slice(0, RESULT_CAPS.unknownMessages)) expect(escapedLength(msg!)).toBe(RESULT_CAPS.unknownChars);
    for (const e of facts.errors) expect(escapedLength(e)).toBe(RESULT_CAPS.errorChars);
    const line = stringifyAsciiJson({ script: 'diagnose', version: 999, ok: true, facts });
    expect(line).not.toMatch(/[^\x20-\x7e]/);
    // Measured, not guessed: keep a margin for the leading empty line and CRLF around it.
    // (2,373 characters with the RESULT_CAPS values at the time of writing: an upper bound, see worstCaseFacts.)
    expect(line.length).toBeLessThan(MAX_RESULT_LINE_CHARS - 100);
    // ...and it is a valid result the service accepts.
    const parsed = parseScriptOutput(`WARNING: something\r\n\r\n${line}\r\n`);
    expect(parsed.kind).toBe('ok');
    if (parsed.kind === 'ok') expect(parsed.result).toEqual(JSON.parse(line));
  });

  it('the worst-case lines of the changing scripts stay far under the limit', () => {
    const msg = capped(RESULT_CAPS.messageChars);
    const servers = Array.from({ length: RESULT_CAPS.servers }, () => capped(RESULT_CAPS.serverChars));
    const lines = [
      { script: 'configure-licensing', version: 999, ok: false, before: { mode: 5, servers }, after: { mode: 4, servers }, changed: true, error: msg },
      { script: 'set-single-session', version: 999, ok: false, before: { present: true, value: 1 }, after: { present: true, value: 0 }, changed: false, error: msg },
      { script: 'remove-rdsh-role', version: 999, ok: false, before: { installed: true }, exitCode: 'SuccessRestartRequired', restartNeeded: true, method: 'uninstall-windowsfeature', error: msg },
      { script: 'restart-computer', version: 999, ok: false, scheduled: false, alreadyRestarted: false, delaySeconds: 600, bootTime: '2025-12-31T23:59:59Z', error: msg },
      { script: 'restore-licensing', version: 999, ok: false, before: { mode: 5, servers }, after: { mode: 4, servers }, registryMode: 5, restartNeeded: true, changed: true, error: msg },
    ].map((r) => stringifyAsciiJson(r));
    for (const line of lines) {
      expect(line.length).toBeLessThan(MAX_RESULT_LINE_CHARS / 2);
      expect(parseScriptOutput(line).kind).toBe('ok');
    }
  });

  it('stringifyAsciiJson matches JSON.parse semantics', () => {
    const value = { a: 'x"y\\z\n\t\u0001é😀', b: [1, -2, 0.5, true, false, null], c: { d: [] } };
    expect(JSON.parse(stringifyAsciiJson(value))).toEqual(value);
    expect(stringifyAsciiJson(value)).not.toMatch(/[^\x20-\x7e]/);
  });
});
