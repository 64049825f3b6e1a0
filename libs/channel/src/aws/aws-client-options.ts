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
 * The SDK's Node HTTP handler with a connect limit and a whole-request limit. Without
 * `throwOnRequestTimeout` the SDK only logs a breached request timeout and keeps waiting, so an
 * endpoint that accepts and never answers would hold a worker slot forever (issue 8, defect 7).
 */
export function boundedHttpHandler(connectTimeoutMs = 3000, requestTimeoutMs = 10000): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: connectTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true });
}
