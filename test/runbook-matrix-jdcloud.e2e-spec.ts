import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { OsFamily } from '@rdpfix/domain';
import { CHANGING, scriptsReceived } from './support/commands';
import { Json, Stack } from './support/stack';

/**
 * Issue 12: a representative slice of the runbook matrix (at least one row per outcome reachable
 * today) through the `jdcloud` channel — real API, queue, worker, Cloud Assistant adapter and the
 * simulator's JD Cloud front end — asserting what reached the simulated server.
 *
 * The rows are the SSM matrix's own (same names, presets, overrides, requests, outcomes): a
 * consistency check reads test/runbook-matrix.e2e-spec.ts and fails when an expectation here no
 * longer matches the one there, so a change of the Windows rules (issue 7) is re-checked on both.
 */
interface Row {
  name: string;
  os: OsFamily;
  preset: string;
  overrides?: Json;
  request: Json;
  agentOffline?: boolean;
  expect: string;
  rdpAfter: boolean;
}

const REGION = 'cn-north-1';
const LICENSE = { strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com' };

const ROWS: Row[] = [
  { name: 'cause A', os: '2019', preset: 'cause-a', request: { mode: 'fix' }, expect: 'fixed', rdpAfter: true },
  { name: 'cause B, remove-role, reboot allowed', os: '2012R2', preset: 'cause-b', request: { mode: 'fix', allowReboot: true }, expect: 'fixed', rdpAfter: true },
  { name: 'cause B, configure-licensing per-device', os: '2016', preset: 'cause-b', request: { mode: 'fix', ...LICENSE, licensingMode: 'per-device' }, expect: 'fixed', rdpAfter: true },
  { name: 'healthy', os: '2022', preset: 'healthy', request: { mode: 'fix' }, expect: 'already_healthy', rdpAfter: true },
  { name: 'domain controller', os: '2019', preset: 'cause-b', overrides: { domain: { role: 5, partOfDomain: true } }, request: { mode: 'fix', allowReboot: true }, expect: 'refused (domain_controller)', rdpAfter: false },
  { name: 'diagnose only', os: '2025', preset: 'cause-a-and-b', request: { mode: 'diagnose' }, expect: 'diagnosed', rdpAfter: false },
  { name: 'agent offline', os: '2019', preset: 'cause-b', request: { mode: 'fix' }, agentOffline: true, expect: 'failed (agent_offline)', rdpAfter: false },
  { name: 'cause B without reboot consent', os: '2019', preset: 'cause-b', request: { mode: 'fix' }, expect: 'awaiting_approval', rdpAfter: false },
  { name: 'no PowerShell (2008 default)', os: '2008', preset: 'cause-b', request: { mode: 'fix', allowReboot: true }, expect: 'failed (unsupported_os)', rdpAfter: false },
];

/** The SSM matrix row of that name, as source text (from its `name:` to the next row's). */
function ssmMatrixRow(name: string): string | null {
  const src = fs.readFileSync(path.join(__dirname, 'runbook-matrix.e2e-spec.ts'), 'utf8');
  const at = src.indexOf(`name: '${name}'`);
  if (at < 0) return null;
  const next = src.indexOf("name: '", at + 7);
  return src.slice(at, next < 0 ? undefined : next);
}

describe('runbook matrix slice on the jdcloud channel', () => {
  let stack: Stack;
  const results = new Map<Row, { got: string; rdpAfter: boolean; scripts: string[]; markers: string[]; rebooted: boolean }>();

  beforeAll(async () => {
    stack = await Stack.start({ channel: 'jdcloud', config: { WORKER_CONCURRENCY: 20 } });
    await Promise.all(
      ROWS.map(async (row) => {
        // JD-style id that the API's current instanceId pattern also accepts (i- + 8 hex; see docs/channels.md).
        const id = await stack.instanceFrom({ instanceId: `i-${randomBytes(4).toString('hex')}`, tenantId: 'tenant-a', region: REGION, os: row.os, preset: row.preset, overrides: row.overrides });
        if (row.agentOffline) await stack.setAgent(id, false);
        const c = await stack.submit({ instanceId: id, region: REGION, ...row.request });
        const final = await stack.waitFor(c.id, ['finished', 'awaiting_approval'], 90_000);
        if (final.state === 'awaiting_approval') await new Promise((r) => setTimeout(r, 300)); // would a reboot sneak in?
        const got = final.state === 'finished' ? `${final.outcome}${final.reason && final.outcome !== 'fixed' ? ` (${final.reason})` : ''}` : final.state;
        const cmds = await stack.simCommands(id);
        results.set(row, {
          got,
          rdpAfter: (await stack.groundTruth(id)).canRdp,
          scripts: scriptsReceived(cmds),
          markers: cmds.map((x) => x.comment as string),
          rebooted: final.rebooted,
        });
      }),
    );
  }, 180_000);
  afterAll(async () => stack?.close());

  it('covers every outcome reachable today, with the SSM matrix expectations for the same rows', () => {
    expect(new Set(ROWS.map((r) => r.expect.replace(/ \(.*\)$/, '')))).toEqual(new Set(['fixed', 'already_healthy', 'refused', 'diagnosed', 'failed', 'awaiting_approval']));
    for (const row of ROWS) {
      const ssm = ssmMatrixRow(row.name);
      expect({ row: row.name, inSsmMatrix: ssm !== null }).toEqual({ row: row.name, inSsmMatrix: true });
      expect({ row: row.name, ssmExpects: ssm!.includes(`'${row.expect}'`) }).toEqual({ row: row.name, ssmExpects: true });
      expect({ row: row.name, samePreset: ssm!.includes(`preset: '${row.preset}'`) }).toEqual({ row: row.name, samePreset: true });
    }
  });

  it.each(ROWS.map((r, i) => [i, `${r.os} ${r.name}`, r.expect] as const))('row %i: %s -> %s', (i) => {
    const row = ROWS[i];
    const res = results.get(row)!;
    expect({ row: row.name, outcome: res.got, canRdp: res.rdpAfter }).toEqual({ row: row.name, outcome: row.expect, canRdp: row.rdpAfter });
    // Every command carried our marker (command name/description on JD) and was recognised as one of our scripts.
    expect(res.markers.every((m) => /^rdpfix:[0-9a-f-]{36}$/.test(m))).toBe(true);
    const changing = res.scripts.filter((n) => CHANGING.includes(n));
    if (row.expect === 'fixed') {
      // Each change reached the server exactly once.
      expect(new Set(changing).size).toBe(changing.length);
      expect(res.rebooted).toBe(row.request.strategy !== 'configure-licensing' && row.preset !== 'cause-a');
      if (res.rebooted) expect(changing.filter((n) => n === 'restart-computer')).toHaveLength(1);
    } else {
      // Refusals, diagnoses, failures before apply and parked remediations (consent comes before any
      // change, issue 7) reach the server with read-only scripts only.
      expect({ row: row.name, changing }).toEqual({ row: row.name, changing: [] });
    }
    if (row.agentOffline) expect(res.scripts).toEqual([]);
  });

  it('everything went through Cloud Assistant, nothing through SSM', async () => {
    const jd = (await stack.http('GET', `${stack.simUrl}/admin/jdcloud/stats`)).body;
    const ssm = (await stack.http('GET', `${stack.simUrl}/admin/stats`)).body;
    const total = [...results.values()].reduce((n, r) => n + r.scripts.length, 0);
    expect(total).toBeGreaterThan(10);
    expect(jd.calls.invokeCommand).toBe(total);
    expect(jd.calls.createCommand).toBe(total);
    expect(jd.authFailures).toBe(0);
    expect(ssm.calls.SendCommand ?? 0).toBe(0);
  });
});
