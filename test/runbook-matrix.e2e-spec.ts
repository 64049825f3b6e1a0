import { OS_FAMILIES, OsFamily } from '@rdpfix/domain';
import { CHANGING, scriptsReceived } from './support/commands';
import { Json, Stack } from './support/stack';

/**
 * Issue 3 and issue 7: OS × server state × request -> expected outcome and ground truth, through
 * the real API, queue, worker, SSM SDK and simulator. Every refusal is in it, and a refused (or
 * diagnose-only, or failed-before-apply, or waiting-for-consent) instance must have received no
 * changing command. The issue 7 rows name exactly which changing commands reached the server.
 */
interface Row {
  name: string;
  os: OsFamily;
  preset: string;
  overrides?: Json;
  /** The request; a function gets the instance id (for removeRoleDespiteLicensing). */
  request: Json | ((instanceId: string) => Json);
  agentOffline?: boolean;
  /** outcome, or `outcome (reason)`, or a state like `awaiting_approval` */
  expect: string;
  /** can a user RDP in afterwards? */
  rdpAfter: boolean;
  /** Exactly the changing commands the server received, in order. */
  changing?: string[];
  /** More assertions on the final remediation (and the simulated server). */
  check?: (final: Json, ctx: { stack: Stack; id: string }) => Promise<void> | void;
}

const REMOVED = ['remove-rdsh-role', 'restart-computer'];
const verifyAttempts = (r: Json) => r.commands.filter((c: Json) => c.script.name === 'verify').length;
const reasonDetail = (re: RegExp) => (r: Json) => expect(r.reasonDetail ?? '').toMatch(re);

/** Issue 7: unknown is not broken, a default is not a fault, configured licensing is never stripped. */
function issue7Rows(): Row[] {
  const out: Row[] = [];
  const fix = { mode: 'fix', allowReboot: true };
  for (const os of ['2012R2', '2022'] as OsFamily[]) {
    out.push(
      // --- a licensed Session Host is never touched -------------------------------------------
      { name: 'licensed RDSH, license server RPC blocked (status 6)', os, preset: 'licensed-ls-unreachable', request: fix, expect: 'refused (license_server_unreachable)', rdpAfter: false, changing: [], check: reasonDetail(/6 \(LS_NOT_CONNECTABLE/) },
      { name: 'licensed RDSH, status 8 (LocalSystem denied, server healthy)', os, preset: 'licensed-ok', overrides: { licensing: { reachability: { 'ls01.corp.example.com': 8 } } }, request: fix, expect: 'refused (license_server_unreachable)', rdpAfter: true, changing: [] },
      { name: 'licensed RDSH, status call fails (-1)', os, preset: 'licensed-ok', overrides: { licensing: { reachability: { 'ls01.corp.example.com': -1 } } }, request: fix, expect: 'refused (facts_incomplete)', rdpAfter: true, changing: [] },
      { name: 'licensed RDSH, TerminalServices WMI class missing', os, preset: 'licensed-ok', overrides: { readFailures: { ts: 'Win32_TerminalServiceSetting: Invalid class' } }, request: fix, expect: 'refused (facts_incomplete)', rdpAfter: true, changing: [], check: reasonDetail(/Invalid class/) },
      { name: 'licensed RDSH, Win32_ComputerSystem fails (not "workgroup")', os, preset: 'licensed-ok', overrides: { readFailures: { domain: 'Win32_ComputerSystem: Access denied' } }, request: fix, expect: 'refused (facts_incomplete)', rdpAfter: true, changing: [], check: reasonDetail(/domain membership/) },
      { name: 'configured per-user licensing on a workgroup server', os, preset: 'licensed-ok', overrides: { domain: { role: 2, partOfDomain: false } }, request: fix, expect: 'refused (licensing_configured)', rdpAfter: false, changing: [] },
      // --- unknown facts never drive a change --------------------------------------------------
      { name: 'cause B, grace days unreadable', os, preset: 'cause-b', overrides: { readFailures: { grace: 'GetGracePeriodDays returned 5' } }, request: fix, expect: 'refused (facts_incomplete)', rdpAfter: false, changing: [], check: (r) => expect(r.preview.join(' ')).toMatch(/Could not be read: the licensing grace period/) },
      { name: 'cause B, installed roles unreadable', os, preset: 'cause-b', overrides: { readFailures: { features: 'Get-WindowsFeature: access denied' } }, request: fix, expect: 'refused (facts_incomplete)', rdpAfter: false, changing: [] },
      { name: 'healthy, quser fails: cannot say healthy', os, preset: 'healthy', overrides: { readFailures: { sessions: 'quser exit code 5' } }, request: fix, expect: 'refused (facts_incomplete)', rdpAfter: true, changing: [] },
      // --- the local RD Licensing role ------------------------------------------------------------
      { name: 'cause B with an unactivated local RD Licensing role', os, preset: 'cause-b-with-ls-role', request: fix, expect: 'fixed', rdpAfter: true, changing: REMOVED },
      { name: 'cause B with an activated RD license server holding CAL packs', os, preset: 'cause-b', overrides: { rds: { licensingRole: true, lsActivated: true, lsCalPacks: 2 } }, request: fix, expect: 'refused (rds_deployment)', rdpAfter: false, changing: [] },
      // --- pending restart keys ------------------------------------------------------------------
      { name: 'cause B with only PendingFileRenameOperations set', os, preset: 'cause-b', overrides: { pendingFileRename: true }, request: fix, expect: 'fixed', rdpAfter: true, changing: REMOVED },
      // --- repairing a configured server the caller's way --------------------------------------
      { name: 'configured but unreachable: configure-licensing with a working server', os, preset: 'licensed-ls-unreachable', request: { mode: 'fix', ...LICENSE_2, licensingMode: 'per-user' }, expect: 'fixed', rdpAfter: true, changing: ['configure-licensing'] },
      { name: 'configured but unreachable: explicit removal request', os, preset: 'licensed-ls-unreachable', request: (id) => ({ ...fix, removeRoleDespiteLicensing: id }), expect: 'fixed', rdpAfter: true, changing: REMOVED },
      // --- cause A is the symptom, not the setting -----------------------------------------------
      { name: 'single-session on, nobody logged on, symptom reported', os, preset: 'healthy', request: { mode: 'fix', symptom: 'another-user-logged-on', symptomAccount: 'Administrator' }, expect: 'fixed', rdpAfter: true, changing: ['set-single-session'] },
      {
        name: 'single-session by Group Policy + cause B: the licensing fix goes ahead, A is left',
        os,
        preset: 'cause-a-and-b',
        overrides: { singleSession: { value: 1, source: 'policy', policyValue: 1 } },
        request: fix,
        expect: 'fixed',
        rdpAfter: true,
        changing: REMOVED,
        check: (r) => {
          expect(r.plan.left).toEqual([expect.objectContaining({ cause: 'single_session', reason: 'group_policy' })]);
          expect(r.summary).toMatch(/leaves the single-session restriction unchanged/);
        },
      },
      { name: 'firewall blocks the RDP port', os, preset: 'cause-b', overrides: { firewall: { enabled: true, rdpAllowed: false } }, request: fix, expect: 'refused (not_a_licensing_problem)', rdpAfter: false, changing: [] },
      // --- consent first ----------------------------------------------------------------------------
      { name: 'cause B without consent: nothing changes before approval', os, preset: 'cause-b', request: { mode: 'fix' }, expect: 'awaiting_approval', rdpAfter: false, changing: [], check: (r) => expect(r.changes).toEqual([]) },
    );
  }
  return out;
}

/** Rows that need short execution timeouts (their own stack): slow servicing, late services, expiring approvals. */
function timingRows(): Row[] {
  const fix = { mode: 'fix', allowReboot: true };
  return [
    {
      name: 'role removal slower than its time limit, servicing done right after: removal pending, restart as approved',
      os: '2012R2',
      preset: 'cause-b',
      overrides: { servicing: { roleRemovalSeconds: 1801 } },
      request: fix,
      expect: 'fixed',
      rdpAfter: true,
      changing: REMOVED,
      check: (r) => {
        expect(r.commands.find((c: Json) => c.script.name === 'remove-rdsh-role').status).toBe('timed_out');
        expect(r.changes).toEqual([expect.objectContaining({ setting: 'RDS-RD-Server role', after: expect.objectContaining({ exitCode: 'TimedOut', removalPending: true }) })]);
      },
    },
    {
      name: 'role removal slower than its time limit, servicing still running: reported, no restart',
      os: '2008R2',
      preset: 'cause-b',
      overrides: { servicing: { roleRemovalSeconds: 3000 } },
      request: fix,
      expect: 'failed (role_removal_unfinished)',
      rdpAfter: false,
      changing: ['remove-rdsh-role'],
      check: async (r, { stack, id }) => {
        expect(r.reasonDetail).toMatch(/1800 s time limit.*still reads as installed.*takes effect at the next restart, which rdpfix did not make/s);
        // Windows servicing goes on after the kill: the removal becomes pending by itself.
        let pending = false;
        for (let i = 0; i < 150 && !pending; i++) {
          pending = (await stack.http('GET', `${stack.simUrl}/admin/instances/${id}`)).body.instance.rdsh.removalPending;
          if (!pending) await new Promise((res) => setTimeout(res, 200));
        }
        expect(pending).toBe(true);
        // ...and a new diagnosis says so honestly (the next restart completes it).
        const d = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'diagnose' })).id);
        expect(d.diagnosis.rdsh.removalPending).toBe(true);
        expect(d.plan).toEqual(expect.objectContaining({ decision: 'act', actions: [], needsReboot: true }));
      },
    },
    {
      name: 'TermService and the listener come up after the agent: verify waits, then decides',
      os: '2016',
      preset: 'cause-b',
      // Seconds, not milliseconds: on a loaded machine the first verify may come 3 s after the agent.
      overrides: { boot: { termServiceDelayMs: 8000, listenerDelayMs: 10000 } },
      request: fix,
      expect: 'fixed',
      rdpAfter: true,
      changing: REMOVED,
      check: (r) => {
        expect(verifyAttempts(r)).toBeGreaterThan(1);
        expect(r.timeline.map((e: Json) => e.message).join('\n')).toMatch(/TermService is stopped; looking again|listener is not up yet; looking again/);
        expect(r.reasonDetail).toMatch(/^Configuration verified/);
      },
    },
    {
      name: 'cause B without consent, approval expires: nothing was changed',
      os: '2019',
      preset: 'cause-b',
      request: { mode: 'fix' },
      expect: 'failed (approval_expired)',
      rdpAfter: false,
      changing: [],
      check: reasonDetail(/nothing was changed on the server and no restart was made/),
    },
  ];
}

const LICENSE = { strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com' };
const LICENSE_2 = { strategy: 'configure-licensing', licenseServer: 'ls02.corp.example.com' };
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

type Result = { got: string; rdpAfter: boolean; changing: string[]; rebooted: boolean; final: Json; id: string };

/** Runs every row concurrently on one stack and collects what happened to each server. */
async function runRows(stack: Stack, table: Row[], results: Map<Row, Result>): Promise<void> {
  await Promise.all(
    table.map(async (row) => {
      const id = await stack.instance(row.os, row.preset, row.overrides);
      if (row.agentOffline) await stack.setAgent(id, false);
      const request = typeof row.request === 'function' ? row.request(id) : row.request;
      const c = await stack.submit({ instanceId: id, ...request });
      const states = row.expect === 'awaiting_approval' ? ['finished', 'awaiting_approval'] : ['finished'];
      const final = await stack.waitFor(c.id, states, 90_000);
      if (final.state === 'awaiting_approval') await new Promise((r) => setTimeout(r, 300)); // would a change sneak in?
      const got = final.state === 'finished' ? `${final.outcome}${final.reason && final.outcome !== 'fixed' ? ` (${final.reason})` : ''}` : final.state;
      const truth = await stack.groundTruth(id);
      const changing = scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n));
      results.set(row, { got, rdpAfter: truth.canRdp, changing, rebooted: final.rebooted, final: await stack.get(c.id), id });
    }),
  );
}

async function assertRow(row: Row, res: Result, stack: Stack): Promise<void> {
  expect({ row: `${row.os} ${row.name}`, outcome: res.got, canRdp: res.rdpAfter }).toEqual({ row: `${row.os} ${row.name}`, outcome: row.expect, canRdp: row.rdpAfter });
  if (row.changing) {
    // Exactly what reached the server.
    expect({ row: row.name, changing: res.changing }).toEqual({ row: row.name, changing: row.changing });
  } else if (!row.expect.startsWith('fixed')) {
    // Nothing was refused, previewed, failed-before-apply or parked with a changing command sent.
    expect({ row: row.name, changing: res.changing }).toEqual({ row: row.name, changing: [] });
  }
  if (row.expect === 'fixed' && !row.changing) expect(res.rebooted).toBe((row.request as Json).strategy !== 'configure-licensing' && row.preset !== 'cause-a');
  if (row.check) await row.check(res.final, { stack, id: res.id });
}

describe('runbook matrix: OS × state × request -> outcome and ground truth', () => {
  let stack: Stack;
  const table = rows();
  const results = new Map<Row, Result>();

  beforeAll(async () => {
    stack = await Stack.start({ config: { WORKER_CONCURRENCY: 50 } });
    // Run the whole matrix concurrently, then assert row by row.
    await runRows(stack, table, results);
  }, 240_000);
  afterAll(async () => stack.close());

  it('has at least 60 combinations covering every OS and every refusal reachable through the API (issue 3 and 7 rows)', () => {
    const all = [...table, ...issue7Rows(), ...timingRows()];
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map((r) => r.os))).toEqual(new Set(OS_FAMILIES));
    const refusals = new Set(all.filter((r) => r.expect.startsWith('refused')).map((r) => r.expect));
    expect(refusals).toEqual(
      new Set([
        'refused (domain_controller)',
        'refused (rds_deployment)',
        'refused (group_policy)',
        'refused (per_user_on_workgroup)',
        'refused (pending_reboot)',
        'refused (not_a_licensing_problem)',
        'refused (license_server_unreachable)',
        'refused (licensing_configured)',
        'refused (facts_incomplete)',
      ]),
    );
    // Every issue 7 row says exactly what reached the server.
    for (const r of [...issue7Rows(), ...timingRows()]) expect({ row: r.name, changing: Array.isArray(r.changing) }).toEqual({ row: r.name, changing: true });
  });

  it.each(table.map((r, i) => [i, `${r.os} ${r.name}`, r.expect] as const))('row %i: %s -> %s', async (i) => {
    const row = table[i];
    await assertRow(row, results.get(row)!, stack);
  });
});

describe('runbook matrix, issue 7 rows: unknown is not broken, a default is not a fault, consent first', () => {
  let stack: Stack;
  const table = issue7Rows();
  const results = new Map<Row, Result>();

  beforeAll(async () => {
    stack = await Stack.start({ config: { WORKER_CONCURRENCY: 40 } });
    await runRows(stack, table, results);
  }, 240_000);
  afterAll(async () => stack.close());

  it.each(table.map((r, i) => [i, `${r.os} ${r.name}`, r.expect] as const))('row %i: %s -> %s', async (i) => {
    const row = table[i];
    await assertRow(row, results.get(row)!, stack);
  });
});

describe('runbook matrix, timing rows (short execution timeouts, late services, expiring approvals)', () => {
  let stack: Stack;
  const table = timingRows();
  const results = new Map<Row, Result>();

  beforeAll(async () => {
    // timeoutScale 0.005: remove-rdsh-role's 1,800 s limit lasts 9 s, the others' 60 s 0.3 s.
    stack = await Stack.start({
      sim: { timeoutScale: 0.005 },
      config: { WORKER_CONCURRENCY: 20, COMMAND_TIMEOUT_S: 60, DELIVERY_TIMEOUT_S: 600, APPROVAL_TTL_S: 2 },
    });
    await runRows(stack, table, results);
  }, 180_000);
  afterAll(async () => stack.close());

  it.each(table.map((r, i) => [i, `${r.os} ${r.name}`, r.expect] as const))('row %i: %s -> %s', async (i) => {
    const row = table[i];
    await assertRow(row, results.get(row)!, stack);
  }, 60_000);
});
