import { DEFAULT_PS_VERSION, OS_FAMILIES } from '@rdpfix/domain';
import { Rng } from '../common/rng';
import { INSTANCE_ID_PATTERN } from '../common/ids';
import { allocate, generateFleet } from './fleet';
import { buildInstance } from './instance-factory';
import { PRESET_NAMES } from './presets';

describe('presets and instance factory', () => {
  const rng = new Rng(7);

  it.each(PRESET_NAMES.map((p) => [p]))('%s builds a consistent instance on every OS', (preset) => {
    for (const os of OS_FAMILIES) {
      const inst = buildInstance({ tenantId: 't', region: 'eu-west-1', os, preset }, rng);
      expect(inst.instanceId).toMatch(INSTANCE_ID_PATTERN);
      expect(inst.psVersion).toBe(DEFAULT_PS_VERSION[os]);
      expect(inst.preset).toBe(preset);
      expect(inst.computerName).toMatch(/^EC2AMAZ-[A-Z0-9]{7}$/);
    }
  });

  it('cause-a has Administrator active with single session = 1; cause-b has RDSH past grace, mode 5, no servers', () => {
    const a = buildInstance({ tenantId: 't', region: 'us-east-1', os: '2016', preset: 'cause-a' }, rng);
    expect(a.singleSession).toEqual({ value: 1, source: 'local', policyValue: null });
    expect(a.sessions).toEqual([expect.objectContaining({ username: 'administrator', state: 'Active', sessionName: 'rdp-tcp#0' })]);
    const b = buildInstance({ tenantId: 't', region: 'us-east-1', os: '2016', preset: 'cause-b' }, rng);
    expect(b.rdsh.installed).toBe(true);
    expect(b.graceDays).toBe(0);
    expect(b.licensing.mode).toBe(5);
    expect(b.licensing.servers).toEqual([]);
  });

  it('follows real servers: single-session on for 2008 R2 and later (the 2008 default is undocumented and stays off)', () => {
    for (const os of OS_FAMILIES) {
      const h = buildInstance({ tenantId: 't', region: 'us-east-1', os, preset: 'healthy' }, rng);
      expect({ os, value: h.singleSession.value }).toEqual({ os, value: os === '2008' ? 0 : 1 });
      expect(h.firewall).toEqual({ enabled: true, rdpAllowed: true });
      expect(h.readFailures).toEqual({});
    }
  });

  it('models the licensed-but-unreachable server and the unactivated local RD Licensing role', () => {
    const u = buildInstance({ tenantId: 't', region: 'us-east-1', os: '2022', preset: 'licensed-ls-unreachable' }, rng);
    expect(u.licensing).toMatchObject({ mode: 4, servers: ['ls01.corp.example.com'], reachability: { 'ls01.corp.example.com': 6 } });
    const l = buildInstance({ tenantId: 't', region: 'us-east-1', os: '2022', preset: 'cause-b-with-ls-role' }, rng);
    expect(l.rds).toMatchObject({ licensingRole: true, lsActivated: false, lsCalPacks: 0 });
  });

  it('replaces read-failure maps instead of merging them', () => {
    const inst = buildInstance({ tenantId: 't', region: 'us-east-1', os: '2019', preset: 'healthy', overrides: { readFailures: { ts: 'Invalid class' } } }, rng);
    expect(inst.readFailures).toEqual({ ts: 'Invalid class' });
  });

  it('applies overrides deeply and normalises policy settings and sessions', () => {
    const inst = buildInstance(
      {
        instanceId: 'i-0123456789abcdef0',
        tenantId: 't',
        region: 'us-east-1',
        os: '2022',
        preset: 'cause-b',
        overrides: {
          licensing: { mode: 4, modeSource: 'policy' },
          singleSession: { value: 1, source: 'policy' },
          sessions: [{ username: 'bob', id: 5, state: 'Disc', sessionName: 'rdp-tcp#3' }],
          psVersion: null,
        },
      },
      rng,
    );
    expect(inst.instanceId).toBe('i-0123456789abcdef0');
    expect(inst.licensing.policyMode).toBe(4);
    expect(inst.licensing.servers).toEqual([]); // untouched sibling field survives the merge
    expect(inst.singleSession).toEqual({ value: 1, source: 'policy', policyValue: 1 });
    expect(inst.sessions[0]).toMatchObject({ username: 'bob', sessionName: null, state: 'Disc', idleMinutes: 0 });
    expect(inst.psVersion).toBeNull();
  });

  it('allocates fleet counts by largest remainder', () => {
    expect(allocate(100, { a: 1, b: 1 })).toEqual([['a', 50], ['b', 50]]);
    expect(allocate(10, { a: 1, b: 2 })).toEqual([['a', 3], ['b', 7]]);
    expect(() => allocate(5, { a: 0 })).toThrow();
  });

  it('generates a reproducible fleet from a preset mix', () => {
    const spec = { count: 40, tenantId: 't9', region: 'ap-southeast-1', mix: { healthy: 3, 'cause-b': 1 } };
    const f1 = generateFleet(spec, new Rng(42));
    const f2 = generateFleet(spec, new Rng(42));
    expect(f1.map((i) => i.instanceId)).toEqual(f2.map((i) => i.instanceId));
    expect(f1.filter((i) => i.preset === 'cause-b')).toHaveLength(10);
    expect(new Set(f1.map((i) => i.instanceId)).size).toBe(40);
    expect(f1.every((i) => i.tenantId === 't9' && i.region === 'ap-southeast-1')).toBe(true);
  });
});
