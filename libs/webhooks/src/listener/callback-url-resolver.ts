import { Injectable } from '@nestjs/common';
import type { RemediationEntity } from '@rdpfix/persistence';

/**
 * Where a remediation's webhooks go; null means "send none". The default is the request's
 * callbackUrl; a per-API-key default (the key's default_callback_url) can be plugged in here.
 */
export interface CallbackUrlResolver {
  callbackUrlFor(remediation: RemediationEntity): Promise<string | null>;
}
export const CALLBACK_URL_RESOLVER = Symbol('CALLBACK_URL_RESOLVER');

@Injectable()
export class RequestCallbackUrlResolver implements CallbackUrlResolver {
  async callbackUrlFor(r: RemediationEntity): Promise<string | null> {
    return r.callbackUrl ?? null;
  }
}
