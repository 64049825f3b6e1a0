/**
 * The JSON dialect the scripts print (scripts/_common.ps1, ConvertTo-RdpfixJson): compact, and
 * every character outside printable ASCII escaped as \uXXXX, so the line survives any console
 * code page. Exported so that tests (and a simulator) can produce byte-identical result lines.
 */

function escapedWidth(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2;
  if (code < 0x20 || code > 0x7e) return 6;
  return 1;
}

/** Longest prefix whose escaped form has at most `max` characters (Limit-RdpfixText). */
export function limitJsonText(text: string, max: number): string {
  let cost = 0;
  let i = 0;
  while (i < text.length) {
    const w = escapedWidth(text.charCodeAt(i));
    if (cost + w > max) break;
    cost += w;
    i++;
  }
  if (i > 0 && i < text.length) {
    const last = text.charCodeAt(i - 1);
    if (last >= 0xd800 && last <= 0xdbff) i--; // never keep half a surrogate pair
  }
  return text.slice(0, i);
}

export function asciiJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += text[i];
  }
  return out + '"';
}

/** Compact JSON with ASCII-only output; object keys keep insertion order. */
export function stringifyAsciiJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return asciiJsonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number');
    return String(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v) => stringifyAsciiJson(v)).join(',') + ']';
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(asciiJsonString(k) + ':' + stringifyAsciiJson(v));
    }
    return '{' + parts.join(',') + '}';
  }
  throw new TypeError(`cannot encode ${typeof value}`);
}
