import * as fs from 'fs';
import { gunzipSync } from 'zlib';
import type { Node, Parser as TsParser } from 'web-tree-sitter';
import { findPs3Constructs, renderScript, SCRIPT_NAMES, SCRIPT_PARAM_EXAMPLES } from '@rdpfix/runbook';
import { assertRunbookFits, DEFAULT_MAX_COMMAND_CONTENT_BYTES, measureRunbook, ScriptTooLargeError, worstCaseParams } from './script-size';
import { BODY_LINE_PREFIX, packScript, stripComments, TRANSPORT_TAG } from './script-transport';

let parser: TsParser;
beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Parser, Language } = require('web-tree-sitter') as typeof import('web-tree-sitter');
  await Parser.init();
  const wasm = fs.readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  parser = new Parser();
  parser.setLanguage(await Language.load(new Uint8Array(wasm)));
});

/** Leaf tokens of a PowerShell text, comments left out: what PowerShell actually executes. */
function tokens(text: string): string[] {
  const tree = parser.parse(text)!;
  const out: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'comment') return;
    if (n.childCount === 0) out.push(`${n.type}:${n.text}`);
    else for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  const hasError = tree.rootNode.hasError;
  tree.delete();
  if (hasError) throw new Error('parse error');
  return out;
}

function unpack(text: string): string {
  const line = text.split('\n').find((l) => l.startsWith(BODY_LINE_PREFIX))!;
  const b64 = /'([A-Za-z0-9+/=]+)'/.exec(line)![1];
  return gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');
}

describe('Cloud Assistant script transport', () => {
  it.each(SCRIPT_NAMES.map((n) => [n]))('%s: comment stripping keeps every PowerShell token', (name) => {
    const text = renderScript(name, SCRIPT_PARAM_EXAMPLES[name]).text;
    const stripped = stripComments(text);
    expect(stripped.length).toBeLessThan(text.length);
    expect(tokens(stripped)).toEqual(tokens(text));
  });

  it.each(SCRIPT_NAMES.map((n) => [n]))('%s: the packed text keeps header and params, parses, is PowerShell 2.0, and unpacks to the stripped body', (name) => {
    const rendered = renderScript(name, SCRIPT_PARAM_EXAMPLES[name]);
    const packed = packScript(rendered.text);
    const lines = packed.text.split('\n');
    expect(lines[0]).toBe(rendered.text.split('\n')[0]);
    expect(lines[1]).toBe(rendered.text.split('\n')[1]);
    expect(lines[2]).toBe(TRANSPORT_TAG);
    expect(Buffer.from(packed.commandContent, 'base64').toString('utf8')).toBe(packed.text);
    expect(tokens(packed.text).length).toBeGreaterThan(10);
    expect(findPs3Constructs(packed.text)).toEqual([]);
    expect(/[^\x09\x0a\x20-\x7e]/.test(packed.text)).toBe(false);
    const body = unpack(packed.text);
    expect(body).toBe(stripComments(rendered.text.split('\n').slice(2).join('\n')));
    expect(tokens(body)).toEqual(tokens(rendered.text.split('\n').slice(2).join('\n')));
  });

  it('keeps here-strings verbatim, including lines that look like comments', () => {
    const src = "$a = @'\n  # not a comment\n'@\n  # a comment\n  Write-Output $a\n";
    expect(stripComments(src)).toBe("$a = @'\n  # not a comment\n'@\nWrite-Output $a\n");
  });

  it('every runbook script fits under the limit with worst-case parameters', () => {
    const sizes = assertRunbookFits();
    expect(sizes.map((s) => s.script)).toEqual([...SCRIPT_NAMES]);
    for (const s of sizes) expect(s.commandContentBytes).toBeLessThan(DEFAULT_MAX_COMMAND_CONTENT_BYTES);
    // Worst-case parameters are as long as the renderer allows.
    expect(Object.entries(worstCaseParams('configure-licensing')).every(([k, v]) => v.length === (k === 'runId' ? 36 : 512))).toBe(true);
  });

  it('fails clearly, naming the scripts, when the limit is too small', () => {
    const sizes = measureRunbook();
    const largest = Math.max(...sizes.map((s) => s.commandContentBytes));
    const name = sizes.find((s) => s.commandContentBytes === largest)!.script;
    expect(() => assertRunbookFits(largest)).toThrow(ScriptTooLargeError);
    expect(() => assertRunbookFits(largest)).toThrow(new RegExp(`${name} needs \\d+ bytes.*JDCLOUD_MAX_SCRIPT_BYTES`));
  });
});
