import { neverConnected } from './ssm-command-channel';

describe('neverConnected: which network errors prove a send never left', () => {
  it('a refused or unroutable connection, or smithy connection timeout, never reached the provider', () => {
    expect(neverConnected({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe(true);
    expect(neverConnected({ code: 'ENOTFOUND' })).toBe(true);
    expect(
      neverConnected({ message: '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.' }),
    ).toBe(true);
  });

  it('a request timeout, a reset or a 5xx may have been acted on: not proof', () => {
    expect(neverConnected({ code: 'ETIMEDOUT', message: '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout.' })).toBe(false);
    expect(neverConnected({ code: 'ECONNRESET', message: 'socket hang up' })).toBe(false);
    expect(neverConnected({ message: 'InternalServerError' })).toBe(false);
  });
});
