import { classifyAddress, ipv6ToBigInt } from './ip-address';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['169.254.169.254', 'metadata'],
    ['100.127.255.255', 'cgnat'],
    ['198.19.0.1', 'reserved'],
    ['239.255.255.250', 'multicast'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:a9fe:a9fe', 'metadata'], // IPv4-translated (SIIT)
    ['fd20:ce::254', 'unique-local'],
    ['fec0::1', 'link-local'],
    ['4000::1', 'reserved'], // outside 2000::/3
    ['5f00::1', 'reserved'],
  ])('%s is %s', (addr, kind) => {
    expect(classifyAddress(addr)?.kind).toBe(kind);
  });

  it('returns null for names', () => {
    expect(classifyAddress('example.com')).toBeNull();
    expect(classifyAddress('127.1')).toBeNull(); // non-canonical forms never reach it un-normalised
  });

  it('parses every IPv6 spelling to the same number', () => {
    const n = ipv6ToBigInt('::ffff:7f00:1');
    expect(ipv6ToBigInt('[::ffff:127.0.0.1]')).toBe(n);
    expect(ipv6ToBigInt('0:0:0:0:0:ffff:7f00:0001')).toBe(n);
    expect(ipv6ToBigInt('fe80::1%eth0')).toBe(ipv6ToBigInt('fe80::1'));
  });
});
