import { callbackUrlPolicy, normaliseHost, validateCallbackUrl } from './callback-url-policy';

const strict = callbackUrlPolicy({ WEBHOOK_ALLOWED_HOSTS: '', WEBHOOK_ALLOW_HTTP: false });

describe('validateCallbackUrl', () => {
  it.each([
    ['https://hooks.example.com/rdpfix'],
    ['https://hooks.example.com:8443/a/b?ticket=123#frag'],
    ['https://例え.jp/hook'],
    ['https://93.184.216.34/hook'],
    ['https://[2606:4700:4700::1111]/hook'],
    ['https://8.8.8.8./hook'],
    ['https://[::ffff:8.8.8.8]/hook'], // mapped public IPv4 is as good as the IPv4
    ['https://[64:ff9b::8.8.8.8]/hook'], // NAT64 of a public IPv4
  ])('accepts %s', (url) => {
    expect(validateCallbackUrl(url, strict)).toMatchObject({ ok: true });
  });

  it.each([
    // scheme, syntax, credentials, length
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['javascript:alert(1)', /https/],
    ['file:///etc/passwd', /https/],
    ['//hooks.example.com/', /valid absolute URL/],
    ['not a url', /whitespace/],
    ['https://hooks.exa\nmple.com/', /whitespace or control/],
    ['https://hooks.example.com/\t', /whitespace or control/],
    ['', /empty/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    // port 0 (issue 9), in every spelling the URL parser normalises to it
    ['https://hooks.example.com:0/hook', /port/],
    ['https://hooks.example.com:00000/hook', /port/],
    ['https://93.184.216.34:0/', /port/],
    ['https://token@hooks.example.com/', /credentials/],
    ['https://hooks.example.com@127.0.0.1/', /credentials/],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, /longer than 2048/],
    // names
    ['https://localhost/hook', /localhost is not allowed/],
    ['https://LOCALHOST./hook', /localhost is not allowed/],
    ['https://api.localhost/hook', /api.localhost is not allowed/],
    ['https://metadata.google.internal/computeMetadata/v1/', /not allowed/],
    // IPv4 ranges
    ['https://127.0.0.1/', /loopback/],
    ['https://127.255.255.254/', /loopback/],
    ['https://10.1.2.3/', /private/],
    ['https://172.16.0.1/', /private/],
    ['https://172.31.255.255/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://100.64.0.1/', /carrier-grade NAT/],
    ['https://100.100.100.200/latest/meta-data', /carrier-grade NAT/],
    ['https://169.254.169.254/latest/meta-data/', /metadata/],
    ['https://169.254.10.10/', /link-local/],
    ['https://168.63.129.16/machine', /metadata/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://224.0.0.251/', /multicast/],
    ['https://255.255.255.255/', /reserved/],
    ['https://192.0.2.10/', /documentation/],
    // IPv4 encodings the WHATWG parser normalises
    ['https://2130706433/', /127\.0\.0\.1 is a loopback/],
    ['https://0x7f000001/', /loopback/],
    ['https://0x7f.1/', /loopback/],
    ['https://0177.0.0.1/', /loopback/],
    ['https://127.1/', /loopback/],
    ['https://0x7f.0x00.0x00.0x01/', /loopback/],
    ['https://0/', /unspecified/],
    ['https://0xA9FEA9FE/', /169\.254\.169\.254 is a cloud metadata/],
    ['https://0251.0376.0251.0376/', /metadata/],
    ['https://１２７.０.０.１/', /loopback/], // full-width digits, IDNA-mapped
    ['https://169.254.169.254./', /metadata/],
    // IPv6 ranges and IPv4-embedding forms
    ['https://[::1]/', /loopback/],
    ['https://[0:0:0:0:0:0:0:1]/', /loopback/],
    ['https://[::]/', /unspecified/],
    ['https://[::ffff:127.0.0.1]/', /loopback.*embeds 127\.0\.0\.1/],
    ['https://[::ffff:7f00:1]/', /loopback/],
    ['https://[::ffff:a9fe:a9fe]/', /metadata/],
    ['https://[::ffff:10.0.0.1]/', /private/],
    ['https://[::127.0.0.1]/', /reserved/], // deprecated IPv4-compatible
    ['https://[64:ff9b::10.0.0.1]/', /private.*embeds 10\.0\.0\.1/],
    ['https://[64:ff9b::a9fe:a9fe]/', /metadata/],
    ['https://[2002:a9fe:a9fe::1]/', /metadata/], // 6to4 of 169.254.169.254
    ['https://[2002:c0a8:0101::]/', /private/], // 6to4 of 192.168.1.1
    ['https://[fe80::1]/', /link-local/],
    ['https://[fd00:ec2::254]/', /unique-local/],
    ['https://[fc00::1]/', /unique-local/],
    ['https://[ff02::1]/', /multicast/],
    ['https://[2001:db8::1]/', /documentation/],
    ['https://[2001::1]/', /reserved/], // Teredo
    ['https://[100::1]/', /reserved/], // discard-only
    ['https://[fe80::1%25eth0]/', /valid absolute URL/], // zone ids are not URLs
  ])('rejects %s', (url, reason) => {
    const r = validateCallbackUrl(url, strict);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('accepts exactly 2048 characters', () => {
    const base = 'https://hooks.example.com/';
    expect(validateCallbackUrl(base + 'a'.repeat(2048 - base.length), strict).ok).toBe(true);
    expect(validateCallbackUrl(base + 'a'.repeat(2049 - base.length), strict).ok).toBe(false);
  });

  describe('allow-list', () => {
    const policy = callbackUrlPolicy({ WEBHOOK_ALLOWED_HOSTS: ' tickets.corp.internal , 10.0.0.5,[::1], Localhost. ', WEBHOOK_ALLOW_HTTP: false });

    it.each([
      ['http://tickets.corp.internal:8080/hook'],
      ['https://TICKETS.corp.internal./hook'],
      ['http://10.0.0.5/hook'],
      ['http://0x0a.0.0.5/hook'], // same address, other spelling
      ['http://[::1]:9000/hook'],
      ['http://[0::1]/hook'],
      ['http://localhost/hook'],
    ])('accepts allow-listed %s, http included', (url) => {
      expect(validateCallbackUrl(url, policy)).toMatchObject({ ok: true });
    });

    it.each([
      ['http://10.0.0.6/hook', /https/],
      ['https://10.0.0.6/hook', /private/],
      ['https://api.localhost/hook', /not allowed/],
      ['http://user:pw@tickets.corp.internal/hook', /credentials/],
      ['http://tickets.corp.internal:0/hook', /port/], // allow-listed hosts get no port 0 either
      ['https://a.tickets.corp.internal/hook', null], // subdomains are not implied (public name: ok)
    ])('still checks %s', (url, reason) => {
      const r = validateCallbackUrl(url, policy);
      if (reason === null) return expect(r.ok).toBe(true);
      expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    });
  });

  it('WEBHOOK_ALLOW_HTTP accepts http but keeps the address rules', () => {
    const policy = callbackUrlPolicy({ WEBHOOK_ALLOWED_HOSTS: '', WEBHOOK_ALLOW_HTTP: true });
    expect(validateCallbackUrl('http://hooks.example.com/', policy).ok).toBe(true);
    expect(validateCallbackUrl('http://127.0.0.1/', policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/loopback/) });
  });

  it('normalises hosts the way the URL parser does', () => {
    expect(normaliseHost('0x7F.1')).toBe('127.0.0.1');
    expect(normaliseHost('[::FFFF:127.0.0.1]')).toBe('::ffff:7f00:1');
    expect(normaliseHost('Example.COM.')).toBe('example.com');
  });
});
