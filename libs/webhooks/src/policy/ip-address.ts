import { isIPv4, isIPv6 } from 'node:net';

/**
 * Classifies an IP address as public or as one of the non-global ranges a webhook must never
 * reach (SSRF): the IANA special-purpose registries for IPv4 and IPv6, cloud metadata endpoints,
 * and IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4), which are judged by that
 * embedded address.
 */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'cgnat'
  | 'multicast'
  | 'unique-local'
  | 'documentation'
  | 'reserved';

type Range = { base: bigint; bits: number; kind: AddressKind };

function v4(cidr: string, kind: AddressKind): Range {
  const [addr, bits] = cidr.split('/');
  return { base: ipv4ToBigInt(addr)!, bits: Number(bits), kind };
}

function v6(cidr: string, kind: AddressKind): Range {
  const [addr, bits] = cidr.split('/');
  return { base: ipv6ToBigInt(addr)!, bits: Number(bits), kind };
}

// Most specific first: the first match names the reason.
const IPV4_BLOCKED: Range[] = [
  v4('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack instance metadata
  v4('168.63.129.16/32', 'metadata'), // Azure WireServer (public address, reachable only from VMs)
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'cgnat'), // also Alibaba metadata 100.100.100.200
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'), // IETF protocol assignments (incl. Oracle metadata 192.0.0.192)
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', 'reserved'), // 6to4 relay anycast (deprecated)
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'), // benchmarking
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'), // includes broadcast 255.255.255.255
];

// Checked only after the embedded-IPv4 forms; everything outside 2000::/3 is non-global.
const IPV6_BLOCKED: Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('fc00::/7', 'unique-local'), // incl. AWS fd00:ec2::254 and GCP fd20:ce::254 metadata
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'link-local'), // deprecated site-local
  v6('ff00::/8', 'multicast'),
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('2001::/23', 'reserved'), // IETF protocol assignments (Teredo, benchmarking, ...)
];
const IPV6_GLOBAL_UNICAST = v6('2000::/3', 'public');

/** IPv6 prefixes whose low bits carry an IPv4 address: [range, right shift to the IPv4]. */
const IPV6_EMBEDDING_V4: [Range, bigint][] = [
  [v6('::ffff:0:0/96', 'reserved'), 0n], // IPv4-mapped
  [v6('::ffff:0:0:0/96', 'reserved'), 0n], // IPv4-translated (SIIT)
  [v6('64:ff9b::/96', 'reserved'), 0n], // NAT64 well-known prefix
  [v6('2002::/16', 'reserved'), 80n], // 6to4: 2002:AABB:CCDD::/48
];
const IPV4_COMPATIBLE = v6('::/96', 'reserved'); // deprecated ::a.b.c.d

function inRange(value: bigint, r: Range, width: number): boolean {
  const shift = BigInt(width - r.bits);
  return value >> shift === r.base >> shift;
}

export function ipv4ToBigInt(s: string): bigint | null {
  if (!isIPv4(s)) return null;
  return s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Parses any textual IPv6 (with brackets, zone id or an IPv4 tail) into a 128-bit number. */
export function ipv6ToBigInt(input: string): bigint | null {
  let s = input.replace(/^\[(.*)\]$/, '$1').split('%')[0];
  if (!isIPv6(s)) return null;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const n = ipv4ToBigInt(tail);
    if (n === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  let groups: string[];
  if (s.includes('::')) {
    const [head, rest] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = rest ? rest.split(':') : [];
    groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  } else {
    groups = s.split(':');
  }
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

function classifyV4(n: bigint): AddressKind {
  return IPV4_BLOCKED.find((r) => inRange(n, r, 32))?.kind ?? 'public';
}

function classifyV6(n: bigint): AddressKind {
  for (const [range, shift] of IPV6_EMBEDDING_V4) {
    // Translated/mapped forms reach the embedded IPv4, so they are judged by it.
    if (inRange(n, range, 128)) return classifyV4((n >> shift) & 0xffffffffn);
  }
  const specific = IPV6_BLOCKED.find((r) => inRange(n, r, 128));
  if (specific) return specific.kind;
  if (inRange(n, IPV4_COMPATIBLE, 128)) return 'reserved';
  return inRange(n, IPV6_GLOBAL_UNICAST, 128) ? 'public' : 'reserved';
}

/** The kind of an IP address, or null when `address` is not an IP literal. */
export function classifyAddress(address: string): { kind: AddressKind; embeddedIpv4?: string } | null {
  const a = ipv4ToBigInt(address);
  if (a !== null) return { kind: classifyV4(a) };
  const b = ipv6ToBigInt(address);
  if (b === null) return null;
  const embedded = IPV6_EMBEDDING_V4.find(([r]) => inRange(b, r, 128));
  return { kind: classifyV6(b), embeddedIpv4: embedded ? bigIntToIpv4((b >> embedded[1]) & 0xffffffffn) : undefined };
}

const ARTICLE: Record<AddressKind, string> = {
  public: 'a public',
  unspecified: 'an unspecified',
  loopback: 'a loopback',
  private: 'a private',
  'link-local': 'a link-local',
  metadata: 'a cloud metadata',
  cgnat: 'a carrier-grade NAT (100.64.0.0/10)',
  multicast: 'a multicast',
  'unique-local': 'a unique-local',
  documentation: 'a documentation-only',
  reserved: 'a reserved (non-global)',
};

/** "a loopback address", for error messages. */
export function describeKind(kind: AddressKind): string {
  return `${ARTICLE[kind]} address`;
}
