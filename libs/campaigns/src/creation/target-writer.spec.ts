import { copyText, inventoryReason } from './target-writer';

const rec = (over: Record<string, unknown> = {}) => ({ instanceId: 'i-0123456789abcdef0', tenantId: 't1', region: 'eu-west-1', platform: 'windows', osFamily: '2019', state: 'running', ...over });

describe('inventoryReason', () => {
  it('says why the inventory rules an instance out, in order', () => {
    expect(inventoryReason(rec(), 'eu-west-1', null)).toBeNull();
    expect(inventoryReason(null, 'eu-west-1', null)).toBe('not_found');
    expect(inventoryReason(rec(), 'eu-west-1', 't2')).toBe('not_found'); // another tenant's looks like none
    expect(inventoryReason(rec({ region: 'us-east-1' }), 'eu-west-1', null)).toBe('region_mismatch');
    expect(inventoryReason(rec({ platform: 'Linux' }), 'eu-west-1', null)).toBe('not_windows');
    expect(inventoryReason(rec({ platform: 'WINDOWS' }), 'eu-west-1', 't1')).toBeNull();
    expect(inventoryReason(rec({ state: 'stopped' }), 'eu-west-1', null)).toBe('stopped');
    expect(inventoryReason(rec({ state: 'stopping' }), 'eu-west-1', null)).toBe('stopped');
    expect(inventoryReason(rec({ state: 'terminated' }), 'eu-west-1', null)).toBe('not_running');
  });
});

describe('copyText', () => {
  it('escapes what COPY text format would misread, and writes null as \\N', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(true)).toBe('t');
    expect(copyText('plain')).toBe('plain');
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
  });
});
