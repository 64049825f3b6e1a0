import { gunzipSync } from 'node:zlib';

const BODY_LINE = /^\$RdpfixTransportBody = '([A-Za-z0-9+/=]+)'\s*$/;

/**
 * The PowerShell text a commandContent would run, as the simulator models it: base64 decoded;
 * when it carries rdpfix's compressed transport, the body is inflated the way the bootstrap's
 * GZipStream would, and the script is header + params line + body. A payload that would not
 * inflate, or a body that is not the script its header names, leaves a text whose first line is
 * not a header: it then fails like PowerShell on an unknown command.
 */
export function scriptTextOf(commandContent: string): string {
  const text = Buffer.from(commandContent, 'base64').toString('utf8');
  const lines = text.split(/\r?\n/);
  const bodyLine = lines.findIndex((l) => BODY_LINE.test(l));
  if (bodyLine < 0) return text;
  try {
    const body = gunzipSync(Buffer.from(BODY_LINE.exec(lines[bodyLine])![1], 'base64')).toString('utf8');
    const header = /^# rdpfix-script: ([a-z-]+) v(\d+)/.exec(lines[0] ?? '');
    if (header && !body.includes(`Start-Rdpfix -Name '${header[1]}' -Version ${header[2]}`)) return lines.slice(bodyLine).join('\n');
    return [...lines.slice(0, bodyLine).filter((l) => !l.startsWith('# rdpfix-transport')), body].join('\n');
  } catch {
    return lines.slice(bodyLine).join('\n');
  }
}
