import { createHash } from 'crypto';
import { PARAMS_LINE_PATTERN, SCRIPT_NAMES, ScriptName } from './contract';
import { RunbookParamError, RunbookScriptError } from './errors';
import { decodeParams, encodeParams, extractParams, MAX_PARAM_VALUE_CHARS } from './params-codec';
import { clearScriptCache, loadScriptSource, parseScriptHeader, renderCacheSize, renderScript, scriptVersion } from './render-script';

const HOSTILE = [
  `it's "quoted"`,
  '$(Remove-Item C:\\ -Recurse)',
  '`$env:windir`',
  "'; Restart-Computer -Force; '",
  '@"\nhere\n"@'.replace(/\n/g, ' '),
  '远程桌面授权服务器 ünïcödé',
  '=starts with equals=and=more',
  '',
];

describe('renderScript parameter gate', () => {
  it('puts exactly one $RdpfixParams line, line 2, matching PARAMS_LINE_PATTERN', () => {
    const r = renderScript('configure-licensing', { mode: 4, servers: 'ls1.example.com' });
    const lines = r.text.split('\n');
    expect(lines[1]).toMatch(PARAMS_LINE_PATTERN);
    expect(lines.filter((l) => l.includes('$RdpfixParams =')).length).toBe(1);
    expect(decodeParams(PARAMS_LINE_PATTERN.exec(lines[1])![1])).toEqual({ mode: '4', servers: 'ls1.example.com' });
  });

  it.each(HOSTILE.map((v) => [v]))('carries %j only as base64', (value) => {
    const r = renderScript('diagnose', { note: value, other: 'x' });
    const body = r.text.split('\n').slice(2).join('\n');
    const line2 = r.text.split('\n')[1];
    // The value is not in the text anywhere except encoded on line 2.
    if (value.length >= 4) expect(r.text).not.toContain(value);
    expect(line2).toMatch(PARAMS_LINE_PATTERN);
    expect(line2.slice(line2.indexOf("'") + 1, -1)).toMatch(/^[A-Za-z0-9+/=]*$/);
    expect(body).toBe(renderScript('diagnose').text.split('\n').slice(2).join('\n'));
    expect(extractParams(r.text)).toEqual({ note: value, other: 'x' });
    expect(r.params).toEqual({ note: value, other: 'x' });
  });

  it('round-trips through encode/decode exactly like the script splits (LF, first "=")', () => {
    const params = { a: 'x=y=z', b: '', c: 'tab\there', d: '😀 emoji' };
    expect(decodeParams(encodeParams(params))).toEqual(params);
    const raw = Buffer.from(encodeParams(params), 'base64').toString('utf8');
    expect(raw).toBe('a=x=y=z\nb=\nc=tab\there\nd=😀 emoji');
  });

  it('sorts keys and converts numbers, so equal parameters give equal text and hash', () => {
    const a = renderScript('restart-computer', { delaySeconds: 30, zz: 'x' });
    const b = renderScript('restart-computer', { zz: 'x', delaySeconds: '30' });
    expect(a.text).toBe(b.text);
    expect(a.sha256).toBe(b.sha256);
    expect(a.sha256).toBe(createHash('sha256').update(a.text, 'utf8').digest('hex'));
    expect(a.params).toEqual({ delaySeconds: '30', zz: 'x' });
    expect(renderScript('restart-computer', { delaySeconds: 31 }).sha256).not.toBe(a.sha256);
  });

  it.each([
    ['1abc', 'x'],
    ['a-b', 'x'],
    ['a=b', 'x'],
    ['', 'x'],
    ['a b', 'x'],
    ['x'.repeat(41), 'x'],
    ['$x', 'x'],
  ])('rejects key %j', (key, value) => {
    expect(() => renderScript('diagnose', { [key]: value })).toThrow(RunbookParamError);
  });

  it.each([
    ['line\nbreak'],
    ['carriage\rreturn'],
    ['nul\0byte'],
    ['x'.repeat(MAX_PARAM_VALUE_CHARS + 1)],
    ['lone \ud800 surrogate'],
  ])('rejects value %j', (value) => {
    let err: unknown;
    try {
      renderScript('diagnose', { key: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunbookParamError);
    expect((err as RunbookParamError).key).toBe('key');
    // The rejected value is never echoed back in the message.
    expect((err as Error).message).not.toContain(value.slice(0, 8));
  });

  it('rejects non-string, non-finite values', () => {
    expect(() => renderScript('diagnose', { a: Number.NaN })).toThrow(RunbookParamError);
    expect(() => renderScript('diagnose', { a: Infinity })).toThrow(RunbookParamError);
    expect(() => renderScript('diagnose', { a: {} as unknown as string })).toThrow(RunbookParamError);
    expect(() => renderScript('diagnose', { a: true as unknown as string })).toThrow(RunbookParamError);
    expect(() => renderScript('diagnose', { a: 'x'.repeat(MAX_PARAM_VALUE_CHARS) })).not.toThrow();
  });

  it('rejects malformed base64 when decoding', () => {
    expect(() => decodeParams('not base64!')).toThrow(RunbookParamError);
    expect(() => decodeParams('abc')).toThrow(RunbookParamError);
    expect(() => decodeParams(Buffer.from('novalue').toString('base64'))).toThrow(RunbookParamError);
    expect(() => extractParams('# header\nWrite-Host hi\n')).toThrow(RunbookParamError);
  });
});

describe('renderScript output', () => {
  it.each(SCRIPT_NAMES.map((n) => [n]))('%s: header names the script and its file version', (name: ScriptName) => {
    const r = renderScript(name);
    expect(r.text.startsWith(`# rdpfix-script: ${name} v${r.version}\n`)).toBe(true);
    expect(parseScriptHeader(r.text)).toEqual({ name, version: r.version });
    expect(scriptVersion(name)).toBe(r.version);
    expect(loadScriptSource(name).body.split('\n')[0]).toBe(`# version: ${r.version}`);
    // _common.ps1 follows the params line; the body comes last.
    expect(r.text.split('\n')[2]).toMatch(/^# -{10,}/);
    expect(r.text.trimEnd().endsWith(loadScriptSource(name).body)).toBe(true);
    expect(r.text.endsWith('\n')).toBe(true);
    expect(r.text).not.toContain('\r');
  });

  it('rejects an unknown script name', () => {
    expect(() => renderScript('format-c' as ScriptName)).toThrow(RunbookScriptError);
  });

  it('a render from the cache is the render itself: same text and hash, other parameters or scripts never share one', () => {
    clearScriptCache();
    const fresh = renderScript('configure-licensing', { mode: 4, servers: 'ls1.example.com' });
    const again = renderScript('configure-licensing', { servers: 'ls1.example.com', mode: 4 });
    expect(again.text).toBe(fresh.text);
    expect(again.sha256).toBe(createHash('sha256').update(again.text, 'utf8').digest('hex'));
    expect(again.params).toEqual(fresh.params);
    expect(again.params).not.toBe(fresh.params); // each caller gets its own parameters object
    const other = renderScript('configure-licensing', { mode: 2, servers: 'ls1.example.com' });
    expect(extractParams(other.text)).toEqual({ mode: '2', servers: 'ls1.example.com' });
    expect(other.sha256).not.toBe(fresh.sha256);
    const diagnose = renderScript('diagnose', { mode: 4, servers: 'ls1.example.com' });
    expect(parseScriptHeader(diagnose.text)?.name).toBe('diagnose');
    expect(extractParams(renderScript('configure-licensing', { mode: 4, servers: 'ls1.example.com' }).text)).toEqual({ mode: '4', servers: 'ls1.example.com' });
    clearScriptCache();
    expect(renderScript('configure-licensing', { mode: 4, servers: 'ls1.example.com' })).toEqual(fresh);
  });

  it('the render cache stays small while every send renders its own run id, and the repeated request still renders the same', () => {
    clearScriptCache();
    const request = renderScript('diagnose', { runId: '{{rdpfix-run-id}}' });
    for (let i = 0; i < 500; i++) {
      const send = renderScript('diagnose', { runId: `run-${i}` });
      expect(extractParams(send.text)).toEqual({ runId: `run-${i}` });
      expect(renderScript('diagnose', { runId: '{{rdpfix-run-id}}' }).text).toBe(request.text);
    }
    expect(renderCacheSize()).toBeLessThanOrEqual(32);
  });

  it('returns cached sources (the files are read once)', () => {
    expect(loadScriptSource('diagnose')).toBe(loadScriptSource('diagnose'));
  });

  it('parseScriptHeader ignores foreign scripts', () => {
    expect(parseScriptHeader('Write-Host hi')).toBeNull();
    expect(parseScriptHeader('# rdpfix-script: format-disk v1\n')).toBeNull();
    expect(parseScriptHeader('\uFEFF# rdpfix-script: verify v3\r\n...')).toEqual({ name: 'verify', version: 3 });
  });
});
