import type { LookupAddress } from 'node:dns';
import { assertDeliverable, guardedLookup, HostResolver, UndeliverableUrlError } from './assert-deliverable';
import { callbackUrlPolicy } from './callback-url-policy';

const policy = callbackUrlPolicy({ WEBHOOK_ALLOWED_HOSTS: 'tickets.corp.internal', WEBHOOK_ALLOW_HTTP: false });
const fakeDns =
  (table: Record<string, string[]>): HostResolver =>
  async (host) => {
    const addrs = table[host];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('assertDeliverable', () => {
  const dns = fakeDns({
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
    'mapped.example.com': ['::ffff:169.254.169.254'],
    'tickets.corp.internal': ['10.0.0.5'],
  });

  it('accepts a host whose every address is public', async () => {
    const r = await assertDeliverable('https://hooks.example.com/x', policy, dns);
    expect(r.addresses).toHaveLength(2);
  });

  it('rejects permanently when any address is private (DNS rebinding)', async () => {
    await expect(assertDeliverable('https://rebind.example.com/x', policy, dns)).rejects.toMatchObject({
      permanent: true,
      reason: expect.stringMatching(/rebind\.example\.com resolves to 127\.0\.0\.1, a loopback address/),
    });
    await expect(assertDeliverable('https://mapped.example.com/x', policy, dns)).rejects.toMatchObject({ permanent: true, reason: expect.stringMatching(/metadata/) });
  });

  it('rejects a policy violation before resolving', async () => {
    const resolver = jest.fn(dns);
    await expect(assertDeliverable('http://hooks.example.com/x', policy, resolver)).rejects.toBeInstanceOf(UndeliverableUrlError);
    expect(resolver).not.toHaveBeenCalled();
  });

  it('treats a resolution failure as temporary', async () => {
    await expect(assertDeliverable('https://nowhere.example.com/x', policy, dns)).rejects.toMatchObject({ permanent: false, reason: expect.stringMatching(/ENOTFOUND/) });
  });

  it('trusts allow-listed names without resolving them', async () => {
    const resolver = jest.fn(dns);
    await expect(assertDeliverable('http://tickets.corp.internal/x', policy, resolver)).resolves.toMatchObject({ addresses: [] });
    expect(resolver).not.toHaveBeenCalled();
  });
});

describe('guardedLookup', () => {
  const call = (lookup: ReturnType<typeof guardedLookup>, host: string, all: boolean) =>
    new Promise<{ err: Error | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
      lookup(host, { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('hands the connection only checked addresses', async () => {
    const lookup = guardedLookup(policy, fakeDns({ 'hooks.example.com': ['93.184.216.34'] }));
    expect(await call(lookup, 'hooks.example.com', false)).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect((await call(lookup, 'hooks.example.com', true)).address).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('fails the connection when the answer changed to a private address after the check', async () => {
    let n = 0;
    const flipping: HostResolver = async () => [{ address: n++ === 0 ? '93.184.216.34' : '169.254.169.254', family: 4 }];
    await assertDeliverable('https://flip.example.com/', policy, flipping);
    const r = await call(guardedLookup(policy, flipping), 'flip.example.com', false);
    expect(r.err).toBeInstanceOf(UndeliverableUrlError);
    expect((r.err as UndeliverableUrlError).permanent).toBe(true);
  });
});
