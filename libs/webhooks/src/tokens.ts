/** The callback URL policy built from config (CallbackUrlPolicy). */
export const CALLBACK_URL_POLICY = Symbol('CALLBACK_URL_POLICY');
/** DNS resolution used for callback hosts (HostResolver); replaced in tests to play DNS rebinding. */
export const WEBHOOK_HOST_RESOLVER = Symbol('WEBHOOK_HOST_RESOLVER');
