import { gzipSync } from 'zlib';
import { HEADER_PATTERN, PARAMS_LINE_PATTERN } from '@rdpfix/runbook/contract';

/**
 * How a runbook script travels through Cloud Assistant. `commandContent` is base64 of the
 * script and must stay under 16 KB (DOC-CC; GO HEAD says 36 KB — not verified, so 16 KB is
 * assumed). A rendered runbook script is 30–44 KB of PowerShell, so it is sent as a small
 * PowerShell 2.0 bootstrap:
 *
 *   line 1  the script header, unchanged (`# rdpfix-script: <name> v<N>`: audit + simulator)
 *   line 2  the `$RdpfixParams = '<base64>'` data line, unchanged
 *   line 3  a comment naming this transport
 *   line 4  `$RdpfixTransportBody = '<base64 of gzip of the rest, whole-line comments removed>'`
 *   line 5+ decompress with .NET 2.0's GZipStream and dot-source the text as a script block,
 *           so functions, `$script:` variables, `trap` and `exit` behave as in the plain file.
 *
 * The transformation is lossless for PowerShell: only whole-line comments, indentation and
 * blank lines go (here-strings are kept verbatim); a unit test compares the token streams of
 * both texts with the real PowerShell grammar.
 */

export const TRANSPORT_TAG = '# rdpfix-transport: gzip-base64 v1';
export const BODY_LINE_PREFIX = '$RdpfixTransportBody = ';

const BOOTSTRAP = [
  "$RdpfixTransportZip = New-Object System.IO.Compression.GZipStream((New-Object System.IO.MemoryStream(,[System.Convert]::FromBase64String($RdpfixTransportBody))), [System.IO.Compression.CompressionMode]::Decompress)",
  '$RdpfixTransportText = (New-Object System.IO.StreamReader($RdpfixTransportZip, [System.Text.Encoding]::UTF8)).ReadToEnd()',
  '$RdpfixTransportZip.Dispose()',
  '. ([ScriptBlock]::Create($RdpfixTransportText))',
];

/**
 * Removes whole-line `#` comments (except `#requires`), leading indentation and blank lines,
 * outside here-strings. Comments at the end of a code line stay (they are harmless and a line
 * scanner cannot tell `#` in a string from a comment).
 */
export function stripComments(text: string): string {
  const out: string[] = [];
  let hereEnd: string | null = null;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (hereEnd !== null) {
      out.push(line);
      if (line.startsWith(hereEnd)) hereEnd = null;
      continue;
    }
    const t = line.trim();
    if (t === '') continue;
    if (t.startsWith('#') && !/^#requires\b/i.test(t)) continue;
    if (t.startsWith('<#')) throw new Error('block comments are not supported by the Cloud Assistant transport');
    out.push(t);
    const here = /@(["'])$/.exec(t);
    if (here) hereEnd = `${here[1]}@`;
  }
  return out.join('\n') + '\n';
}

export interface PackedScript {
  /** The PowerShell text that runs on the instance. */
  text: string;
  /** base64 of `text` as UTF-8: Cloud Assistant's `commandContent`. */
  commandContent: string;
}

/** Packs a rendered runbook script (or any text whose line 1 is our header). */
export function packScript(scriptText: string): PackedScript {
  const lines = scriptText.replace(/\r\n?/g, '\n').split('\n');
  const keep: string[] = [];
  if (HEADER_PATTERN.test(lines[0] ?? '')) keep.push(lines.shift() as string);
  if (keep.length && PARAMS_LINE_PATTERN.test(lines[0] ?? '')) keep.push(lines.shift() as string);
  const body = stripComments(lines.join('\n'));
  const payload = gzipSync(Buffer.from(body, 'utf8'), { level: 9 }).toString('base64');
  const text = [...keep, TRANSPORT_TAG, `${BODY_LINE_PREFIX}'${payload}'`, ...BOOTSTRAP].join('\n') + '\n';
  return { text, commandContent: Buffer.from(text, 'utf8').toString('base64') };
}
