/** Settings and faults of the JD Cloud front end (GET/PUT /admin/jdcloud/config, docs/simulator.md). */
export interface JdSimConfig {
  /** Access keys the gateway accepts: accessKeyId → secretAccessKey. */
  credentials: Record<string, string>;
  /** Allowed |x-jdcloud-date − now| (the real window is not documented). */
  clockSkewS: number;
  /** A nonce may not be used twice within this long. */
  nonceWindowS: number;
  /** Answer signature failures with 401 UNAUTHENTICATED (default) or 403 HTTP_FORBIDDEN (seen for bad keys). */
  authFailureStatus: 401 | 403;
  /** commandContent (base64) must be shorter than this (docs: < 16 KB). */
  maxCommandContentBytes: number;
  /** An offline agent's invocation turns `invalid` after this long (seconds × the simulator's timeoutScale). */
  deliveryTimeoutS: number;
  /** Owner tag on VMs: { key: ownerTagKey, value: tenantId }. */
  ownerTagKey: string;
  /** Spelling of success: `finish` (API 1.0.1+) or `finished` (1.0.0). */
  finishSpelling: 'finish' | 'finished';
  /** Encoding of `output` (not documented): base64 or raw text. */
  outputEncoding: 'base64' | 'raw';
  /** Probability of 429 RATE_LIMIT per call (the shared `throttleRate` fault applies too). */
  rateLimitRate: number;
  /** Probability of 429 QUOTA_EXCEEDED on createCommand/invokeCommand/runCommand. */
  quotaExceededRate: number;
  /** Probability of a 5xx per call, with a code drawn from serverErrorCodes. */
  serverErrorRate: number;
  serverErrorCodes: number[];
  /** Every answer is delayed this long. */
  latencyMs: number;
  /** Probability that invokeCommand/runCommand acts and then the connection is dropped without an answer. */
  dropSendResponseRate: number;
  /** Invocations stay out of listings by commandNames/commandIds (not by invokeIds) this long after creation. */
  delayListingMs: number;
  /** Operations that answer 501 NOT_IMPLEMENTED (e.g. stopInvocation, describeAssistants: gone from current SDKs). */
  unsupportedOps: string[];
}

export const DEFAULT_JD_SIM_CONFIG: JdSimConfig = {
  credentials: { simulator: 'simulator' },
  clockSkewS: 900,
  nonceWindowS: 900,
  authFailureStatus: 401,
  maxCommandContentBytes: 16384,
  deliveryTimeoutS: 60,
  ownerTagKey: 'tenant',
  finishSpelling: 'finish',
  outputEncoding: 'base64',
  rateLimitRate: 0,
  quotaExceededRate: 0,
  serverErrorRate: 0,
  serverErrorCodes: [500, 502, 503],
  latencyMs: 0,
  dropSendResponseRate: 0,
  delayListingMs: 0,
  unsupportedOps: [],
};

const SERVER_ERROR_STATUS: Record<number, string> = { 500: 'INTERNAL', 501: 'NOT_IMPLEMENTED', 502: 'SOURCE_UNAVAILABLE', 503: 'UNAVAILABLE' };
export function serverErrorStatus(code: number): string {
  return SERVER_ERROR_STATUS[code] ?? 'UNKNOWN';
}

/** SIM_JDCLOUD_* environment for main.ts: a JSON object merged over the defaults. */
export function jdConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<JdSimConfig> {
  const raw = env.SIM_JDCLOUD_CONFIG;
  if (!raw) return {};
  const parsed = JSON.parse(raw) as Partial<JdSimConfig>;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SIM_JDCLOUD_CONFIG must be a JSON object');
  return parsed;
}
