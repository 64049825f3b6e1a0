import { brotliCompressSync, deflateSync, gzipSync } from 'zlib';
import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import { formatApiKey } from '@rdpfix/auth';
import type { RawRequest } from './raw-http';

/** Every property a DTO validates: fields added to a DTO later are fuzzed without touching this file. */
export function dtoFields(dto: Function): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))];
}

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: n, maxLength: n });

/** Text that cannot break HTTP framing (no CR/LF) but may hold anything else, NUL and non-ASCII included. */
const headerText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', 'é', '中文', '\u202e', '\ufeff', ' ', '\t', 'x'.repeat(300), 'x'.repeat(9000)),
).map((s) => s.replace(/[\r\n]/g, ''));

/** Values no field expects: every JSON type, nulls, huge and deep values, unicode, NUL, prototype keys. */
export const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('null', 'true', 'false', '0', '-1', '-0', '1.5', '1e308', '-1e308', '9007199254740993', '""', '" "', '[]', '{}', '[null]', '{"a":null}') },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }).map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => JSON.stringify(`${s}\u0000${s}`)) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(3000), 'é'.repeat(2000), '中'.repeat(1500), 'a'.repeat(20_000)).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 3000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 2500 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"prototype":1}', '[{"__proto__":null}]') },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
);

/** Keys of a body object: the DTO's own (most of the time), prototype keys, near-misses, anything. */
export function keyArb(fields: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...fields) },
    { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', '', ' ', `${fields[0]}\u0000`, fields[0].toUpperCase(), 'toString', 'hasOwnProperty') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

/** A JSON object as text from [key, value text] entries: keys may repeat (duplicate keys, the last wins). */
export const objectText = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** Request bodies: objects of hostile fields, valid bodies with a field or two replaced (or duplicated), garbage, none. */
export function bodyArb(fields: string[], valid: fc.Arbitrary<Record<string, unknown>>, fieldValue: (f: string) => fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  const entry = keyArb(fields).chain((k) => fc.tuple(fc.constant(k), fields.includes(k) ? fc.oneof(fieldValue(k), hostileJson) : hostileJson));
  return fc.oneof(
    { weight: 4, arbitrary: fc.array(entry, { maxLength: 12 }).map(objectText) },
    {
      weight: 4,
      arbitrary: fc.tuple(valid, fc.array(entry, { maxLength: 2 })).map(([v, extra]) => objectText([...Object.entries(v).map(([k, x]) => [k, JSON.stringify(x)] as [string, string]), ...extra])),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('null', '[]', '"x"', '1', '{', '{"a":1,}', "{'a':1}", '\ufeff{}', '{"a":1}{"b":2}', '{"a" 1}', '[' + '{}'.repeat(3) + ']', ''),
        fc.string({ maxLength: 50 }),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
        valid.map((v) => JSON.stringify(v).slice(0, -3)),
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export interface Keys {
  admin: string;
  support: string;
  console: string;
  fleet: string;
}

/** Authorization headers: mostly a valid admin key; also other roles, none, garbage, near-misses. */
export function authArb(k: Keys): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${k.admin}`) },
    { weight: 2, arbitrary: fc.constantFrom(`Bearer ${k.support}`, `Bearer ${k.console}`, `Bearer ${k.fleet}`) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `Bearer ${k.admin}x`, `bearer ${k.admin}`, `Bearer  ${k.admin}`, `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${'a'.repeat(300)}`, 'Bearer é'),
        fc.tuple(hex(12), fc.base64String({ minLength: 44, maxLength: 44 })).map(([p, s]) => `Bearer ${formatApiKey({ prefix: p, secret: s.slice(0, 43).replace(/[+/=]/g, '_') })}`),
        headerText.map((t) => `Bearer ${t}`),
      ),
    },
  );
}

/** Content-Type, Content-Encoding and the body's bytes (really compressed, or claiming to be). */
export function encodedBody(text: fc.Arbitrary<string | undefined>) {
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'APPLICATION/JSON',
        'application/vnd.api+json',
        'text/plain',
        'text/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=zz',
        'application/xml',
        '*/*',
        '',
        'application/json, text/plain',
        undefined,
      ),
    },
    { weight: 1, arbitrary: headerText },
  );
  const encoding = fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'gzip (fake)', 'deflate (fake)', 'br (fake)', 'compress', 'gzip, deflate', 'x-gzip', 'zstd (fake)') },
    { weight: 1, arbitrary: headerText },
  );
  return fc.record({ text, contentType, encoding, chunked: fc.boolean() }).map(({ text, contentType, encoding, chunked }) => {
    const headers: [string, string][] = [];
    if (contentType !== undefined) headers.push(['Content-Type', contentType]);
    let body = text === undefined ? undefined : Buffer.from(text, 'utf8');
    if (encoding !== undefined && body !== undefined) {
      const real = encoding === 'gzip' ? gzipSync(body) : encoding === 'deflate' ? deflateSync(body) : encoding === 'br' ? brotliCompressSync(body) : body;
      headers.push(['Content-Encoding', encoding.replace(' (fake)', '')]);
      body = real;
    }
    return { headers, body, chunked: chunked && body !== undefined && body.length > 0 && body.length % 7 === 0 };
  });
}

/** A path segment where an id goes: known ids, random UUIDs, and everything a router may choke on. */
export function idSegmentArb(known: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.uuid() },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom('%', '%00', '%E4%B8', '%zz', '..', '.', 'null', 'undefined', '0', '-1', '%20', '%2F', '%252F', 'a'.repeat(5000), 'a'.repeat(20_000), known[0].toUpperCase(), `${known[0]}%20`, ` ${known[0]}`.replace(' ', '%20'), `${known[0]}%00`),
        fc.string({ maxLength: 40 }).map(encodeURIComponent),
        fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent),
        fc.uuid().map((u) => u.replace(/-/g, '')),
      ),
    },
  );
}

export const extraHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(fc.constantFrom('X-Api-Key', 'Proxy-Authorization', 'Cookie', 'X-Forwarded-For', 'Accept', 'Accept-Language', 'Content-Type', 'Content-Encoding', 'Authorization', 'X-Custom'), headerText),
  { maxLength: 2 },
);

export function request(method: string, path: string, auth: string | undefined, body: { headers: [string, string][]; body?: Buffer; chunked: boolean }, more: [string, string][] = []): RawRequest {
  const headers: [string, string][] = [];
  if (auth !== undefined) headers.push(['Authorization', auth]);
  headers.push(...body.headers, ...more);
  return { method, path, headers, body: body.body, chunked: body.chunked };
}
