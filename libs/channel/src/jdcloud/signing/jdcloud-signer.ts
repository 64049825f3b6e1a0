import { createHash, createHmac } from 'crypto';
import { canonicalHeaderValue, canonicalQuery, canonicalUri, SigningVersion } from './canonical';

/**
 * JD Cloud OpenAPI request signing, JDCLOUD2-HMAC-SHA256 and JDCLOUD3-HMAC-SHA256
 * (jdcloud-assistant.md §5). Pure: the date and the nonce are inputs, so the published test
 * vectors (V1–V6 of the reference) are reproducible. No official JD Cloud SDK for Node is on
 * the npm registry, hence this small implementation.
 *
 *   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 *   StringToSign     = ALG \n x-jdcloud-date \n yyyymmdd/region/service/jdcloudN_request \n hex(sha256(CanonicalRequest))
 *   kSigning         = HMAC(HMAC(HMAC(HMAC("JDCLOUDN"+SK, yyyymmdd), region), service), "jdcloudN_request")
 *   Signature        = hex(HMAC(kSigning, StringToSign))
 */

export const JDCLOUD2 = 'JDCLOUD2-HMAC-SHA256';
export const JDCLOUD3 = 'JDCLOUD3-HMAC-SHA256';
export type JdSigningAlgorithm = typeof JDCLOUD2 | typeof JDCLOUD3;

export interface JdCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CanonicalInput {
  algorithm: JdSigningAlgorithm;
  method: string;
  /** Raw path, e.g. `/v1/regions/cn-north-1/describeInvocations`. */
  path: string;
  /** Raw query string without `?` ('' when none). */
  query: string;
  /** Exactly the headers to sign (any name case); `x-jdcloud-date` must be among them. */
  signedHeaders: Record<string, string | string[]>;
  /** The exact body bytes sent ('' for none). */
  body: string | Buffer;
  region: string;
  service: string;
}

export interface SignatureParts {
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signedHeaderNames: string;
  signature: string;
  authorization: string;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function versionOf(algorithm: JdSigningAlgorithm): SigningVersion {
  return algorithm === JDCLOUD3 ? 3 : 2;
}

/** The derived signing key (V2 of the reference checks it on its own). */
export function signingKey(secretAccessKey: string, yyyymmdd: string, region: string, service: string, algorithm: JdSigningAlgorithm = JDCLOUD2): Buffer {
  const v = versionOf(algorithm);
  const kDate = hmac(`JDCLOUD${v}${secretAccessKey}`, yyyymmdd);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, `jdcloud${v}_request`);
}

/** Computes every intermediate and the Authorization value for one request. */
export function computeSignature(input: CanonicalInput, credentials: JdCredentials): SignatureParts {
  const version = versionOf(input.algorithm);
  const headers = new Map<string, string>();
  for (const [name, raw] of Object.entries(input.signedHeaders)) {
    const values = Array.isArray(raw) ? raw : [raw];
    headers.set(name.toLowerCase(), values.map((v) => canonicalHeaderValue(v, version)).join(','));
  }
  const names = [...headers.keys()].sort();
  const date = headers.get('x-jdcloud-date');
  if (!date || !/^\d{8}T\d{6}Z$/.test(date)) throw new Error('x-jdcloud-date (YYYYMMDDTHHmmssZ) must be a signed header');
  const day = date.slice(0, 8);
  const lower = Object.fromEntries(Object.entries(input.signedHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  // The gateway (JSIGN) and JDCLOUD3 signers take x-jdcloud-content-sha256 as the body hash when present.
  const contentSha = lower['x-jdcloud-content-sha256'];
  const bodyHash = typeof contentSha === 'string' && contentSha !== '' ? contentSha.trim() : sha256Hex(input.body);
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path, version),
    canonicalQuery(input.query, version),
    names.map((n) => `${n}:${headers.get(n)}\n`).join(''),
    names.join(';'),
    bodyHash,
  ].join('\n');
  const credentialScope = `${day}/${input.region}/${input.service}/jdcloud${version}_request`;
  const stringToSign = [input.algorithm, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, input.region, input.service, input.algorithm))
    .update(stringToSign, 'utf8')
    .digest('hex');
  const signedHeaderNames = names.join(';');
  return {
    canonicalRequest,
    stringToSign,
    credentialScope,
    signedHeaderNames,
    signature,
    authorization: `${input.algorithm} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaderNames}, Signature=${signature}`,
  };
}

/** `x-jdcloud-date` form of a date: UTC `YYYYMMDDTHHmmssZ`. */
export function jdcloudDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface OutgoingRequest {
  method: string;
  /** Full URL; its host (with a non-default port) is the signed `host` header. */
  url: string;
  body: string;
  region: string;
  service: string;
  date: Date;
  nonce: string;
  algorithm?: JdSigningAlgorithm;
}

/**
 * The headers an adapter sends, signed as the Go SDK does: `content-type: application/json`,
 * `host`, `x-jdcloud-date`, `x-jdcloud-nonce` (SignedHeaders `content-type;host;x-jdcloud-date;x-jdcloud-nonce`).
 */
export function signRequest(req: OutgoingRequest, credentials: JdCredentials): Record<string, string> {
  const url = new URL(req.url);
  const signed: Record<string, string> = {
    'content-type': 'application/json',
    host: url.host,
    'x-jdcloud-date': jdcloudDate(req.date),
    'x-jdcloud-nonce': req.nonce,
  };
  const parts = computeSignature(
    {
      algorithm: req.algorithm ?? JDCLOUD2,
      method: req.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      signedHeaders: signed,
      body: req.body,
      region: req.region,
      service: req.service,
    },
    credentials,
  );
  return { ...signed, authorization: parts.authorization };
}

export interface ParsedAuthorization {
  algorithm: JdSigningAlgorithm;
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses an Authorization header value; null when it is not a JDCLOUD2/3 one. */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | null {
  const m = /^(JDCLOUD[23]-HMAC-SHA256) Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/jdcloud([23])_request, ?SignedHeaders=([a-z0-9;_-]+), ?Signature=([0-9a-f]{64})$/.exec(
    (value ?? '').trim(),
  );
  if (!m || m[1].charAt(7) !== m[6]) return null;
  return {
    algorithm: m[1] as JdSigningAlgorithm,
    accessKeyId: m[2],
    day: m[3],
    region: m[4],
    service: m[5],
    signedHeaders: m[7].split(';'),
    signature: m[8],
  };
}
