import { canonicalQuery, canonicalUri } from './canonical';
import { computeSignature, JDCLOUD2, JDCLOUD3, jdcloudDate, parseAuthorization, sha256Hex, signingKey, signRequest } from './jdcloud-signer';

/** Every published vector of jdcloud-assistant.md §5.4 (V1–V6) and the derived POST vector. */
describe('JDCLOUD2/JDCLOUD3 signer: published vectors', () => {
  const akSk = { accessKeyId: 'ak', secretAccessKey: 'sk' };

  it('V1 (CPP): GET / with host, date, nonce signed', () => {
    const p = computeSignature(
      {
        algorithm: JDCLOUD2,
        method: 'GET',
        path: '/',
        query: '',
        signedHeaders: { host: 'vm.cn-north-1.jdcloud.net', 'x-jdcloud-date': jdcloudDate(new Date('2009-02-13T23:31:30Z')), 'x-jdcloud-nonce': 'uuid' },
        body: '',
        region: 'cn-north-1',
        service: 'vm',
      },
      akSk,
    );
    expect(p.authorization).toBe(
      'JDCLOUD2-HMAC-SHA256 Credential=ak/20090213/cn-north-1/vm/jdcloud2_request, SignedHeaders=host;x-jdcloud-date;x-jdcloud-nonce, Signature=43a76892222031f847c00c56cac8d4d2dc179a4e75a37868d09a5300435f4054',
    );
  });

  it('V2 (RUST): the derived signing key', () => {
    expect(signingKey('sk', '20180405', 'cn-north-1', 'service_name').toString('hex')).toBe('b302aa05734bcaf60be65a4be7c971669ac55444769681c19113d80460e31a33');
  });

  it('V3 (RUST): GET with a query, content-type signed, no host', () => {
    const p = computeSignature(
      {
        algorithm: JDCLOUD2,
        method: 'GET',
        path: '/v1/regions/cn-north-1/instances',
        query: 'pageNumber=2&pageSize=10',
        signedHeaders: { 'content-type': 'application/json', 'x-jdcloud-date': '20180405T010203Z', 'x-jdcloud-nonce': '55f3919e-3a7d-4174-b117-f150ff25e274' },
        body: '',
        region: 'cn-north-1',
        service: 'service_name',
      },
      akSk,
    );
    expect(p.signedHeaderNames).toBe('content-type;x-jdcloud-date;x-jdcloud-nonce');
    expect(p.signature).toBe('cea138630c57ba3de51933926e3b1657c34b4d1b6f86d360511bf40a09f63729');
  });

  it('V4 (PY signer_test): JDCLOUD3 GET, empty query key dropped, host with port signed', () => {
    const p = computeSignature(
      {
        algorithm: JDCLOUD3,
        method: 'GET',
        path: '/v1/regions/cn-north-1/instances',
        query: '=a&a=a',
        signedHeaders: {
          'content-type': 'application/json',
          host: 'apigw-internal-dev.cn-north-1.jcloudcs.com:8000',
          'x-jdcloud-date': '20190917T064708Z',
          'x-jdcloud-nonce': 'X-Jdcloud-Nonce',
        },
        body: '',
        region: 'cn-north-1',
        service: 'apigatewaytestproductline',
      },
      akSk,
    );
    expect(p.canonicalRequest.split('\n')[2]).toBe('a=a');
    expect(p.authorization).toBe(
      'JDCLOUD3-HMAC-SHA256 Credential=ak/20190917/cn-north-1/apigatewaytestproductline/jdcloud3_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=43efb5fb00e86faf35d8bf0bed3b72e84cfc98ee4754065e29c3caa7bcaa12cb',
    );
  });

  it.each([
    ['cn-north-1', '963c4ab8065b4ea9020152fc7ad41ef2e1d160ac411f4bfd4eb09b600e9247e9'],
    ['cn-south-1', '448fe88253f6f34819f0bd53a29dee376e72b951d1d82df280acd4f99a39b82d'],
  ])('V5 (NSIGN #31/#33): JDCLOUD3 POST with a Chinese query and a custom header, region %s', (region, signature) => {
    const p = computeSignature(
      {
        algorithm: JDCLOUD3,
        method: 'POST',
        path: `/v1/regions/${region}/instances`,
        query: '中文参数=中文参数值',
        signedHeaders: {
          'X-Jdcloud-Date': '20190917T064708Z',
          'X-Jdcloud-Nonce': 'X-Jdcloud-Nonce',
          'X-Jdcloud-Algorithm': 'JDCLOUD3-HMAC-SHA256',
          'X-MyHeader': 'myhead',
        },
        body: '{"key":"value"}',
        region,
        service: 'apigatewaytestproductline',
      },
      akSk,
    );
    expect(p.signedHeaderNames).toBe('x-jdcloud-algorithm;x-jdcloud-date;x-jdcloud-nonce;x-myheader');
    expect(p.signature).toBe(signature);
  });

  it('V6 (CTK fixture oss_list_buckets): canonical request, string to sign and signature', () => {
    const p = computeSignature(
      {
        algorithm: JDCLOUD2,
        method: 'GET',
        path: '/v1/regions/cn-north-1/buckets',
        query: '',
        signedHeaders: {
          'content-type': 'application/json',
          host: 'oss.jdcloud-api.com',
          'x-jdcloud-date': jdcloudDate(new Date('2026-04-19T12:00:00Z')),
          'x-jdcloud-nonce': '3233e986-8ad0-41b6-a9f7-83b052dc5577',
        },
        body: '',
        region: 'cn-north-1',
        service: 'oss',
      },
      { accessKeyId: 'JDCsigcaptureAKID', secretAccessKey: 'JDCsigcaptureSECRET1234567890abcdefg' },
    );
    expect(p.canonicalRequest).toBe(
      'GET\n/v1/regions/cn-north-1/buckets\n\ncontent-type:application/json\nhost:oss.jdcloud-api.com\nx-jdcloud-date:20260419T120000Z\n' +
        'x-jdcloud-nonce:3233e986-8ad0-41b6-a9f7-83b052dc5577\n\ncontent-type;host;x-jdcloud-date;x-jdcloud-nonce\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(p.stringToSign).toBe(
      'JDCLOUD2-HMAC-SHA256\n20260419T120000Z\n20260419/cn-north-1/oss/jdcloud2_request\nc38f31f80b249ceb5d25f7de2e6d7b138aa9b0010d0a8dc4fd43e5d8b59fc06b',
    );
    expect(p.signature).toBe('51b58f6f79ea48e3ec681fff38842884d3346e4ecfed83db32307e1f26766865');
  });

  it('derived POST vector (reference §5.4): signRequest as the adapter sends it', () => {
    const body = '{"invokeIds":["inv-example"],"pageNumber":1,"pageSize":1}';
    expect(sha256Hex(body).startsWith('115fbfdc')).toBe(true);
    const headers = signRequest(
      {
        method: 'POST',
        url: 'https://assistant.jdcloud-api.com/v1/regions/cn-north-1/describeInvocations',
        body,
        region: 'cn-north-1',
        service: 'assistant',
        date: new Date('2024-01-01T00:00:00Z'),
        nonce: '00000000-0000-4000-8000-000000000000',
      },
      { accessKeyId: 'TESTAK', secretAccessKey: 'TESTSK' },
    );
    expect(headers['x-jdcloud-date']).toBe('20240101T000000Z');
    expect(headers.authorization).toBe(
      'JDCLOUD2-HMAC-SHA256 Credential=TESTAK/20240101/cn-north-1/assistant/jdcloud2_request, SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, Signature=f3a1787d22c25361ed83217ff903ebf7de455efd7465f79d551bbd7fda11f83f',
    );
    const p = computeSignature(
      {
        algorithm: JDCLOUD2,
        method: 'POST',
        path: '/v1/regions/cn-north-1/describeInvocations',
        query: '',
        signedHeaders: { 'content-type': 'application/json', host: 'assistant.jdcloud-api.com', 'x-jdcloud-date': '20240101T000000Z', 'x-jdcloud-nonce': '00000000-0000-4000-8000-000000000000' },
        body,
        region: 'cn-north-1',
        service: 'assistant',
      },
      { accessKeyId: 'TESTAK', secretAccessKey: 'TESTSK' },
    );
    expect(p.stringToSign.split('\n')[3]).toBe('53ed6c536ca892b0353dd13249a5e11789822fe39b4086dece004cca023882fd');
  });
});

describe('signer details', () => {
  it('a non-default port is part of the signed host', () => {
    const h = signRequest(
      { method: 'POST', url: 'http://127.0.0.1:4566/v1/regions/cn-north-1/createCommand', body: '{}', region: 'cn-north-1', service: 'assistant', date: new Date(0), nonce: 'n' },
      { accessKeyId: 'a', secretAccessKey: 'b' },
    );
    expect(h.host).toBe('127.0.0.1:4566');
  });

  it('canonical query sorts by key then value and encodes RFC 3986', () => {
    expect(canonicalQuery('b=2&a=2&a=1&c=x y*', 2)).toBe('a=1&a=2&b=2&c=x%20y%2A');
    expect(canonicalUri('', 2)).toBe('/');
    expect(canonicalUri('//v1//x', 3)).toBe('/v1/x');
  });

  it('parses its own Authorization and rejects others', () => {
    const h = signRequest(
      { method: 'POST', url: 'https://assistant.jdcloud-api.com/v1/regions/cn-east-2/invokeCommand', body: '{}', region: 'cn-east-2', service: 'assistant', date: new Date('2024-05-06T07:08:09Z'), nonce: 'n' },
      { accessKeyId: 'AKID', secretAccessKey: 'x' },
    );
    expect(parseAuthorization(h.authorization)).toMatchObject({ accessKeyId: 'AKID', day: '20240506', region: 'cn-east-2', service: 'assistant', signedHeaders: ['content-type', 'host', 'x-jdcloud-date', 'x-jdcloud-nonce'] });
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=x')).toBeNull();
    expect(parseAuthorization(undefined)).toBeNull();
  });
});
