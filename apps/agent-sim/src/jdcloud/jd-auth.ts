import { Injectable } from '@nestjs/common';
import { computeSignature, parseAuthorization } from '@rdpfix/channel/jdcloud/signing/jdcloud-signer';
import { JdError } from './jd-error';
import { JdState } from './jd-state';

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (`originalUrl`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/**
 * Verifies a request as JD's gateway verifier does (JSIGN): the algorithm, access key, date,
 * region and service come from Authorization; the canonical request is rebuilt from the actual
 * request with the client's SignedHeaders list; x-jdcloud-date and x-jdcloud-nonce must be
 * present and signed; a stale date or a reused nonce is refused. Every failure is
 * 401 UNAUTHENTICATED (or 403 HTTP_FORBIDDEN when so configured).
 */
@Injectable()
export class JdAuthService {
  constructor(private readonly state: JdState) {}

  verify(req: SignedRequest, expected: { region: string; service: string }, now: number = Date.now()): void {
    const fail = (why: string): never => {
      this.state.stats.authFailures += 1;
      const forbidden = this.state.config.authFailureStatus === 403;
      throw new JdError(forbidden ? 403 : 401, forbidden ? 'HTTP_FORBIDDEN' : 'UNAUTHENTICATED', `signature verification failed: ${why}`);
    };
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const auth = parseAuthorization(header('authorization'));
    if (!auth) return fail('missing or malformed Authorization');
    const secret = this.state.config.credentials[auth.accessKeyId];
    if (secret === undefined) return fail('unknown access key');
    if (!auth.signedHeaders.includes('x-jdcloud-date') || !auth.signedHeaders.includes('x-jdcloud-nonce')) {
      return fail('x-jdcloud-date and x-jdcloud-nonce must be signed');
    }
    const date = header('x-jdcloud-date') ?? '';
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!m) return fail('bad x-jdcloud-date');
    const at = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    if (Math.abs(now - at) > this.state.config.clockSkewS * 1000) return fail('x-jdcloud-date is stale');
    if (date.slice(0, 8) !== auth.day) return fail('credential scope date does not match x-jdcloud-date');
    if (auth.region !== expected.region) return fail(`credential scope region ${auth.region} is not ${expected.region}`);
    if (auth.service !== expected.service) return fail(`credential scope service ${auth.service} is not ${expected.service}`);
    const signedHeaders: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const v = header(name);
      if (v === undefined) return fail(`signed header ${name} is missing`);
      signedHeaders[name] = v;
    }
    const q = req.url.indexOf('?');
    const expectedSig = computeSignature(
      {
        algorithm: auth.algorithm,
        method: req.method,
        path: q < 0 ? req.url : req.url.slice(0, q),
        query: q < 0 ? '' : req.url.slice(q + 1),
        signedHeaders,
        body: req.rawBody,
        region: auth.region,
        service: auth.service,
      },
      { accessKeyId: auth.accessKeyId, secretAccessKey: secret },
    ).signature;
    if (expectedSig !== auth.signature) return fail('signature does not match');
    // Checked last, so a bad signature cannot burn someone else's nonce.
    if (!this.state.useNonce(header('x-jdcloud-nonce') ?? '', now)) return fail('x-jdcloud-nonce was already used');
  }
}
