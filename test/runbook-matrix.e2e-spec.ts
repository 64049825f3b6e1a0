import { OS_FAMILIES, OsFamily } from '@rdpfix/domain';
import { CHANGING, scriptsReceived } from './support/commands';
import { Json, Stack } from './support/stack';

/**
 * Issue 3: OS × server state × request -> expected outcome and ground truth, through the real
 * API, queue, worker, SSM SDK and simulator. Every refusal is in it, and a refused (or
 * diagnose-only, or failed-before-apply) instance must have received no changing command.
 */
interface Row {
  name: string;
  os: OsFamily;
  preset: string;
  overrides?: Json;
  request: Json;
  agentOffline?: boolean;
  /** outcome, or `outcome (reason)`, or a state like `awaiting_approval` */
  expect: string;
  /** can a user RDP in afterwards? */
  rdpAfter: boolean;
}

const LICENSE = { strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com' };
const DOMAIN_MEMBER = { domain: { role: 3, partOfDomain: true } };
/** 2008 ships without PowerShell; with WMF 2.0 installed rdpfix supports it. */
const PS = (os: OsFamily): Json | undefined => (os === '2008' ? { psVersion: '2.0' } : undefined);

function rows(): Row[] {
  const out: Row[] = [];
  for (const os of OS_FAMILIES) {
    out.push(
      { name: 'cause A', os, preset: 'cause-a', overrides: PS(os), request: { mode: 'fix' }, expect: 'fixed', rdpAfter: true },
      { name: 'cause B, remove-role, reboot allowed', os, preset: 'cause-b', overrides: PS(os), request: { mode: 'fix', allowReboot: true }, expect: 'fixed', rdpAfter: true },
      { name: 'both causes, reboot allowed', os, preset: 'cause-a-and-b', overrides: PS(os), request: { mode: 'fix', allowReboot: true }, expect: 'fixed', rdpAfter: true },
      { name: 'healthy', os, preset: 'healthy', overrides: PS(os), request: { mode: 'fix' }, expect: 'already_healthy', rdpAfter: true },
      {
        name: 'cause B, configure-licensing per-device',
        os,
        preset: 'cause-b',
        overrides: PS(os),
        request: { mode: 'fix', ...LICENSE, licensingMode: 'per-device' },
        // The license-server list methods exist only from 2008 R2 on.
        expect: os === '2008' ? 'failed (unsupported_os)' : 'fixed',
        rdpAfter: os !== '2008',
      },
    );
  }
  const some: OsFamily[] = ['2012R2', '2019', '2025'];
  for (const os of some) {
    out.push(
      { name: 'domain controller', os, preset: 'cause-b', overrides: { domain: { role: 5, partOfDomain: true } }, request: { mode: 'fix', allowReboot: true }, expect: 'refused (domain_controller)', rdpAfter: false },
      { name: 'RDS connection broker', os, preset: 'cause-b', overrides: { rds: { broker: true } }, request: { mode: 'fix', allowReboot: true }, expect: 'refused (rds_deployment)', rdpAfter: false },
      { name: 'single-session by Group Policy', os, preset: 'cause-a', overrides: { singleSession: { value: 1, source: 'policy', policyValue: 1 } }, request: { mode: 'fix' }, expect: 'refused (group_policy)', rdpAfter: false },
      {
        name: 'licensing by Group Policy, configure-licensing',
        os,
        preset: 'cause-b',
        overrides: { ...DOMAIN_MEMBER, licensing: { modeSource: 'policy', policyMode: 5 } },
        request: { mode: 'fix', ...LICENSE, licensingMode: 'per-user' },
        expect: 'refused (group_policy)',
        rdpAfter: false,
      },
      { name: 'per-user on a workgroup server', os, preset: 'cause-b', request: { mode: 'fix', ...LICENSE, licensingMode: 'per-user' }, expect: 'refused (per_user_on_workgroup)', rdpAfter: false },
      { name: 'pending reboot before role removal', os, preset: 'cause-b', overrides: { pendingReboot: true }, request: { mode: 'fix', allowReboot: true }, expect: 'refused (pending_reboot)', rdpAfter: false },
      { name: 'TermService stopped', os, preset: 'cause-b', overrides: { termService: 'stopped' }, request: { mode: 'fix', allowReboot: true }, expect: 'refused (not_a_licensing_problem)', rdpAfter: false },
      { name: 'cause B without reboot consent', os, preset: 'cause-b', request: { mode: 'fix' }, expect: 'awaiting_approval', rdpAfter: false },
      { name: 'diagnose only', os, preset: 'cause-a-and-b', request: { mode: 'diagnose' }, expect: 'diagnosed', rdpAfter: false },
      { name: 'RDSH within grace', os, preset: 'cause-b-in-grace', request: { mode: 'fix', allowReboot: true }, expect: 'already_healthy', rdpAfter: true },
      { name: 'licensed RDSH', os, preset: 'licensed-ok', request: { mode: 'fix', allowReboot: true }, expect: 'already_healthy', rdpAfter: true },
      { name: 'agent offline', os, preset: 'cause-b', request: { mode: 'fix' }, agentOffline: true, expect: 'failed (agent_offline)', rdpAfter: false },
      { name: 'cause B, configure-licensing per-user on a domain member', os, preset: 'cause-b', overrides: DOMAIN_MEMBER, request: { mode: 'fix', ...LICENSE, licensingMode: 'per-user' }, expect: 'fixed', rdpAfter: true },
    );
  }
  out.push({ name: 'no PowerShell (2008 default)', os: '2008', preset: 'cause-b', request: { mode: 'fix', allowReboot: true }, expect: 'failed (unsupported_os)', rdpAfter: false });
  out.push({ name: 'no PowerShell, cause A', os: '2008', preset: 'cause-a', request: { mode: 'fix' }, expect: 'failed (unsupported_os)', rdpAfter: false });
  return out;
}

describe('runbook matrix: OS × state × request -> outcome and ground truth', () => {
  let stack: Stack;
  const table = rows();
  const results = new Map<Row, { got: string; rdpAfter: boolean; changing: string[]; rebooted: boolean }>();

  beforeAll(async () => {
    stack = await Stack.start({ config: { WORKER_CONCURRENCY: 50 } });
    // Run the whole matrix concurrently, then assert row by row.
    await Promise.all(
      table.map(async (row) => {
        const id = await stack.instance(row.os, row.preset, row.overrides);
        if (row.agentOffline) await stack.setAgent(id, false);
        const c = await stack.submit({ instanceId: id, ...row.request });
        const final = await stack.waitFor(c.id, ['finished', 'awaiting_approval'], 90_000);
        if (final.state === 'awaiting_approval') await new Promise((r) => setTimeout(r, 300)); // would a reboot sneak in?
        const got = final.state === 'finished' ? `${final.outcome}${final.reason && final.outcome !== 'fixed' ? ` (${final.reason})` : ''}` : final.state;
        const truth = await stack.groundTruth(id);
        const changing = scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n));
        results.set(row, { got, rdpAfter: truth.canRdp, changing, rebooted: final.rebooted });
      }),
    );
  }, 240_000);
  afterAll(async () => stack.close());

  it('has at least 60 combinations covering every OS and every refusal reachable through the API', () => {
    expect(table.length).toBeGreaterThanOrEqual(60);
    expect(new Set(table.map((r) => r.os))).toEqual(new Set(OS_FAMILIES));
    const refusals = new Set(table.filter((r) => r.expect.startsWith('refused')).map((r) => r.expect));
    expect(refusals).toEqual(
      new Set(['refused (domain_controller)', 'refused (rds_deployment)', 'refused (group_policy)', 'refused (per_user_on_workgroup)', 'refused (pending_reboot)', 'refused (not_a_licensing_problem)']),
    );
  });

  it.each(rows().map((r, i) => [i, `${r.os} ${r.name}`, r.expect] as const))('row %i: %s -> %s', (i) => {
    const row = table[i];
    const res = results.get(row)!;
    expect({ row: `${row.os} ${row.name}`, outcome: res.got, canRdp: res.rdpAfter }).toEqual({ row: `${row.os} ${row.name}`, outcome: row.expect, canRdp: row.rdpAfter });
    if (!row.expect.startsWith('fixed')) {
      // Nothing was refused, previewed or failed-before-apply with a changing command sent.
      if (row.expect !== 'awaiting_approval') expect({ row: row.name, changing: res.changing }).toEqual({ row: row.name, changing: [] });
      else expect(res.changing).not.toContain('restart-computer');
    }
    if (row.expect === 'fixed') expect(res.rebooted).toBe(row.request.strategy !== 'configure-licensing' && row.preset !== 'cause-a');
  });
});
