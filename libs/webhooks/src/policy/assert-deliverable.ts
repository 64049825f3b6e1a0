import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { blockedAddressReason, CallbackUrlPolicy, hostOf, isAllowListed, validateCallbackUrl } from './callback-url-policy';

/** Resolves a host name to all its addresses (injectable so tests can play DNS rebinding). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * A callback URL that may not be delivered to. `permanent` is false for DNS failures (the name
 * may resolve later) and true for policy violations, which retrying cannot fix.
 */
export class UndeliverableUrlError extends Error {
  readonly code = 'WEBHOOK_UNDELIVERABLE';
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
  ) {
    super(reason);
    this.name = 'UndeliverableUrlError';
  }
}

/** First address of `addresses` that the policy forbids, as a reason; null if all are fine. */
function firstBlocked(host: string, addresses: LookupAddress[]): string | null {
  for (const a of addresses) {
    const reason = blockedAddressReason(a.address, host);
    if (reason) return reason;
  }
  return null;
}

async function resolveChecked(host: string, resolver: HostResolver): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolver(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UndeliverableUrlError(`could not resolve ${host}: ${code}`, false);
  }
  if (addresses.length === 0) throw new UndeliverableUrlError(`could not resolve ${host}: no addresses`, false);
  // Every address, not just the first: a resolver may rotate, and a connection may use any.
  const blocked = firstBlocked(host, addresses);
  if (blocked) throw new UndeliverableUrlError(blocked, true);
  return addresses;
}

/**
 * The delivery-time check: the syntactic policy plus the DNS answers of the host. Throws
 * UndeliverableUrlError. Allow-listed hosts are trusted as named (they may resolve to private
 * addresses on purpose); an allow-listed IP does not bless other names that resolve to it.
 */
export async function assertDeliverable(raw: string, policy: CallbackUrlPolicy, resolver: HostResolver = systemResolver): Promise<{ url: URL; addresses: LookupAddress[] }> {
  const check = validateCallbackUrl(raw, policy);
  if (!check.ok) throw new UndeliverableUrlError(check.reason, true);
  const host = hostOf(check.url);
  const family = isIP(host);
  if (family) return { url: check.url, addresses: [{ address: host, family }] };
  if (isAllowListed(host, policy)) return { url: check.url, addresses: [] };
  return { url: check.url, addresses: await resolveChecked(host, resolver) };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that re-checks the addresses the socket will actually connect
 * to. assertDeliverable alone leaves a window (check, then a second resolution by the HTTP
 * client) that DNS rebinding exploits; this closes it: the connection uses only checked answers.
 */
export function guardedLookup(policy: CallbackUrlPolicy, resolver: HostResolver = systemResolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const host = hostOf(new URL(`http://${isIP(hostname) === 6 ? `[${hostname}]` : hostname}/`));
    const resolve = isAllowListed(host, policy) ? resolver(hostname) : resolveChecked(host, resolver);
    resolve.then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) return callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (options.all) return callback(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}
