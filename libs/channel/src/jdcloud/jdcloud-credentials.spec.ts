import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { credentialProvider, readCredentialsFile } from './jdcloud-credentials';
import { checkIds, channelIdRules } from './jdcloud-id-rules';
import { commandNameFor } from './jdcloud-marker';

describe('JD Cloud credentials', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jdcreds-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('come from the variables, or from a file that takes precedence and is re-read', () => {
    expect(credentialProvider({ accessKeyId: 'A', secretAccessKey: 'S' })()).toEqual({ accessKeyId: 'A', secretAccessKey: 'S' });
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ accessKeyId: 'FA', secretAccessKey: 'FS' }));
    const p = credentialProvider({ accessKeyId: 'A', secretAccessKey: 'S', file }, 0);
    expect(p()).toEqual({ accessKeyId: 'FA', secretAccessKey: 'FS' });
    fs.writeFileSync(file, JSON.stringify({ JDCLOUD_ACCESS_KEY_ID: 'FB', JDCLOUD_SECRET_ACCESS_KEY: 'FT' }));
    expect(p()).toEqual({ accessKeyId: 'FB', secretAccessKey: 'FT' });
  });

  it('errors name the file, never its content', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"accessKeyId":"TOPSECRET-AK"}');
    expect(() => readCredentialsFile(file)).toThrow(/must hold accessKeyId and secretAccessKey/);
    expect(() => readCredentialsFile(file)).not.toThrow(/TOPSECRET/);
    expect(() => readCredentialsFile(path.join(dir, 'missing.json'))).toThrow(/ENOENT/);
    expect(() => credentialProvider({ accessKeyId: '', secretAccessKey: '' })).toThrow(/JDCLOUD_ACCESS_KEY_ID/);
  });
});

describe('per-channel id rules', () => {
  it.each([
    ['jdcloud', 'i-uvvtdzuxre', 'cn-north-1', true],
    ['jdcloud', 'i-d4c1a56z3p', 'cn-east-2', true],
    ['jdcloud', 'i-UVVTDZUXRE', 'cn-north-1', false],
    ['jdcloud', 'i-uvvtdzuxre', 'cn-north', false],
    ['jdcloud', 'vm-uvvtdzuxre', 'cn-south-1', false],
    ['ssm', 'i-0123456789abcdef0', 'eu-west-1', true],
    ['ssm', 'i-uvvtdzuxre', 'eu-west-1', false],
  ])('%s: %s in %s -> %s', (channel, id, region, ok) => {
    expect(checkIds(channel, id, region).length === 0).toBe(ok);
  });

  it('unknown channels have no rules', () => {
    expect(() => channelIdRules('azure')).toThrow(/no id rules/);
  });
});

describe('command name of a marker', () => {
  it('keeps allowed characters, maps the rest to dots, stays within 128', () => {
    expect(commandNameFor('rdpfix:0b7c1f4e-1111-4aaa-8bbb-123456789abc')).toBe('rdpfix.0b7c1f4e-1111-4aaa-8bbb-123456789abc');
    expect(commandNameFor('云助手 x')).toBe('云助手.x');
    expect(commandNameFor('x'.repeat(300))).toHaveLength(128);
    expect(commandNameFor('')).toBe('rdpfix');
  });
});
