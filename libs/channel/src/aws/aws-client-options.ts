import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AppConfig } from '@rdpfix/config';

export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Static keys only when both are configured; otherwise undefined, which makes every AWS client
 * use the SDK's default credential provider chain (environment, shared config/profiles, SSO,
 * web identity, ECS container and EC2 instance roles) — what AWS users expect.
 */
export function awsStaticCredentials(c: Pick<AppConfig, 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_SESSION_TOKEN'>): AwsStaticCredentials | undefined {
  if (!c.AWS_ACCESS_KEY_ID || !c.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId: c.AWS_ACCESS_KEY_ID, secretAccessKey: c.AWS_SECRET_ACCESS_KEY, ...(c.AWS_SESSION_TOKEN ? { sessionToken: c.AWS_SESSION_TOKEN } : {}) };
}

/**
 * How long a kept-alive connection may sit idle before the client closes it itself. Below the
 * idle timeouts servers commonly use (Node's 5 s, the simulator's): a request written on a
 * connection the server is closing at that moment fails with "socket hang up", and for a
 * SendCommand that is an unknown outcome (it may have arrived), so its runs wait out the marker
 * lookups and a changing script then fails send_outcome_unknown. The SDK's own agent keeps idle
 * sockets forever (Node lowers that only by the server's Keep-Alive hint, and only when the agent
 * has a timeout at all): on the 10,000 bench a send lost its answer this way in 2 of 9 runs.
 */
export const IDLE_SOCKET_MS = 4000;

/**
 * The SDK's Node HTTP handler with a connect limit, a whole-request limit and a bounded idle
 * time for pooled connections. Without `throwOnRequestTimeout` the SDK only logs a breached
 * request timeout and keeps waiting, so an endpoint that accepts and never answers would hold a
 * worker slot forever (issue 8, defect 7).
 */
export function boundedHttpHandler(connectTimeoutMs = 3000, requestTimeoutMs = 10000, idleSocketMs = IDLE_SOCKET_MS): NodeHttpHandler {
  // keepAlive and maxSockets are the SDK's defaults; `timeout` closes a pooled socket left idle that long.
  const agent = { keepAlive: true, maxSockets: 50, timeout: idleSocketMs };
  return new NodeHttpHandler({ connectionTimeout: connectTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true, httpAgent: agent, httpsAgent: agent });
}
