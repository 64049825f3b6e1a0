import { renderScriptText } from '../testing/script-text';
import { decodeParamsLine, parseScript } from './parse-script';

describe('parseScript', () => {
  it('recognises our header and decodes the params line', () => {
    const parsed = parseScript(renderScriptText('configure-licensing', 3, { mode: 4, servers: 'ls1.corp,ls2.corp' }));
    expect(parsed).toEqual({
      kind: 'rdpfix',
      name: 'configure-licensing',
      version: 3,
      params: { mode: '4', servers: 'ls1.corp,ls2.corp' },
      paramsError: null,
    });
  });

  it('accepts CRLF line endings and an empty params block', () => {
    const parsed = parseScript(renderScriptText('remove-rdsh-role', 1).replace(/\n/g, '\r\n'));
    expect(parsed).toMatchObject({ kind: 'rdpfix', name: 'remove-rdsh-role', params: {}, paramsError: null });
  });

  it('flags a missing or malformed params line', () => {
    const parsed = parseScript('# rdpfix-script: diagnose v1\nWrite-Output hi');
    expect(parsed).toMatchObject({ kind: 'rdpfix', paramsError: expect.stringMatching(/RdpfixParams/) });
    const bad = Buffer.from('1bad=x').toString('base64');
    expect(decodeParamsLine(`$RdpfixParams = '${bad}'`).error).toMatch(/malformed parameter/);
  });

  it('treats an unknown name or a foreign script as unrecognised, naming the first command', () => {
    expect(parseScript(renderScriptText('reset-grace-period', 1, {}, 'Remove-Item HKLM:\\x'))).toEqual({
      kind: 'unrecognized',
      headerName: 'reset-grace-period',
      version: 1,
      term: 'Remove-Item',
      line: 3,
    });
    expect(parseScript('Get-Foo -Bar\nexit 0')).toMatchObject({ kind: 'unrecognized', headerName: null, term: 'Get-Foo', line: 1 });
  });
});
