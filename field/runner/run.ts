import { parseQuserRows } from '@rdpfix/domain';
import { CHANGING_SCRIPTS } from '@rdpfix/runbook/contract';
import { FieldConfig, FieldScenario, FieldVm } from './config';
import { Json, RdpfixApi } from './rdpfix-api';
import { b64, FieldScript, parseFieldOutput, parsePesterOutput, PesterSummary, pesterTestsBase64, renderFieldScript } from './render';
import { FieldSsm } from './ssm';

export interface FieldCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface FieldResult {
  instanceId: string;
  os: string;
  locale: string | null;
  scenario: FieldScenario;
  passed: boolean;
  checks: FieldCheck[];
  remediationIds: string[];
  pester: PesterSummary | null;
  /** The configuration before rdpfix ran (snapshot-state.ps1). */
  before: Record<string, string>;
  startedAt: string;
  finishedAt: string;
}

const WAIT_S = 3600;

/** Which changing scripts reached the VM in a remediation (from its command list). */
export function changingScripts(r: Json): string[] {
  return ((r.commands ?? []) as Json[]).map((c) => c.script?.name as string).filter((n) => (CHANGING_SCRIPTS as ReadonlySet<string>).has(n));
}

function check(name: string, passed: boolean, detail: string): FieldCheck {
  return { name, passed, detail };
}

/** Runs one scenario on one VM: snapshot, arrange, rdpfix, clean up, Pester, and rdpfix-side checks. */
export class FieldRun {
  constructor(
    private readonly cfg: FieldConfig,
    private readonly ssm: FieldSsm,
    private readonly api: RdpfixApi,
  ) {}

  private async field(vm: FieldVm, name: FieldScript, params: Record<string, string> = {}) {
    const r = await this.ssm.run(vm.instanceId, renderFieldScript(name, params), { comment: `rdpfix-field:${name}` });
    const out = parseFieldOutput(r.stdout);
    if (r.status !== 'Success' || !out.complete) throw new Error(`${name} on ${vm.instanceId}: ${r.status} ${r.stderr.slice(0, 300)}`);
    return out;
  }

  private async pester(vm: FieldVm, scenario: string, before: string[], expect: Record<string, string>): Promise<PesterSummary | null> {
    const r = await this.ssm.run(
      vm.instanceId,
      renderFieldScript('run-pester', {
        tests: pesterTestsBase64(),
        scenario,
        before: b64(before.join('\n')),
        expect: b64(
          Object.entries(expect)
            .map(([k, v]) => `${k}=${v}`)
            .join('\n'),
        ),
      }),
      { comment: `rdpfix-field:pester:${scenario}` },
    );
    return parsePesterOutput(r.stdout);
  }

  private async remediate(vm: FieldVm, body: Json): Promise<Json> {
    const created = await this.api.submit({ instanceId: vm.instanceId, region: this.cfg.region, source: 'api', ticketRef: 'rdpfix-field', ...body });
    return this.api.waitFor(created.id, WAIT_S);
  }

  async run(vm: FieldVm, scenario: FieldScenario): Promise<FieldResult> {
    const startedAt = new Date().toISOString();
    const checks: FieldCheck[] = [];
    const ids: string[] = [];
    const snap = await this.field(vm, 'snapshot-state');
    let pester: PesterSummary | null = null;
    const fix = { mode: 'fix', allowReboot: true };

    switch (scenario) {
      case 'licensed-untouched':
      case 'licensed-untouched-ls-blocked':
      case 'licensed-untouched-wmi-broken': {
        const arrange: FieldScript | null =
          scenario === 'licensed-untouched-ls-blocked' ? 'arrange-block-ls-rpc' : scenario === 'licensed-untouched-wmi-broken' ? 'arrange-break-wmi' : null;
        const arrangeParams: Record<string, string> = scenario === 'licensed-untouched-ls-blocked' ? { server: this.cfg.licenseServer ?? '' } : {};
        let r: Json;
        if (arrange) await this.field(vm, arrange, { action: 'apply', ...arrangeParams });
        try {
          r = await this.remediate(vm, fix);
        } finally {
          if (arrange) await this.field(vm, arrange, { action: 'remove', ...arrangeParams });
        }
        ids.push(r.id);
        checks.push(check('no changing command reached the server', changingScripts(r).length === 0, `changing commands: ${changingScripts(r).join(', ') || 'none'}`));
        checks.push(check('not "fixed"', r.outcome !== 'fixed', `outcome ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`));
        if (scenario === 'licensed-untouched') checks.push(check('a working licensed server is healthy', r.outcome === 'already_healthy', `outcome ${r.outcome}`));
        pester = await this.pester(vm, scenario, snap.lines, {});
        break;
      }
      case 'lockout-repair':
      case 'restart-timing': {
        const r = await this.remediate(vm, fix);
        ids.push(r.id);
        checks.push(check('fixed', r.outcome === 'fixed', `outcome ${r.outcome}${r.reason ? ` (${r.reason}): ${r.reasonDetail}` : ''}`));
        checks.push(check('restarted once', r.rebooted === true && changingScripts(r).filter((n) => n === 'restart-computer').length === 1, `changing commands: ${changingScripts(r).join(', ')}`));
        const verifies = ((r.commands ?? []) as Json[]).filter((c) => c.script?.name === 'verify').length;
        checks.push(check('verify attempts after the restart (1 = TermService and listener were up at once)', verifies >= 1, `${verifies} verify run(s)`));
        pester = await this.pester(vm, scenario, snap.lines, {});
        break;
      }
      case 'licensing-round-trip': {
        const mode = this.cfg.licensingMode ?? 'per-device';
        const r = await this.remediate(vm, { mode: 'fix', strategy: 'configure-licensing', licenseServer: this.cfg.licenseServer, licensingMode: mode });
        ids.push(r.id);
        checks.push(check('configure-licensing fixed', r.outcome === 'fixed', `outcome ${r.outcome}${r.reason ? ` (${r.reason}): ${r.reasonDetail}` : ''}`));
        const p1 = await this.pester(vm, 'licensing-configured', snap.lines, { licensingType: mode === 'per-user' ? '4' : '2', server: this.cfg.licenseServer ?? '' });
        const rb = await this.api.waitFor((await this.api.rollback(r.id)).id, WAIT_S);
        ids.push(rb.id);
        checks.push(check('rolled back', rb.outcome === 'rolled_back', `outcome ${rb.outcome}${rb.reason ? ` (${rb.reason})` : ''}: ${rb.reasonDetail ?? ''}`));
        const restartNeeded = ((rb.changes ?? []) as Json[]).some((c) => c.restartNeeded === true);
        const p2 = await this.pester(vm, 'licensing-restored', snap.lines, { restartNeeded: String(restartNeeded) });
        pester = p1 && p2 ? { passed: p1.passed + p2.passed, failed: p1.failed + p2.failed, failures: [...p1.failures, ...p2.failures] } : null;
        break;
      }
      case 'quser-names': {
        const r = await this.remediate(vm, { mode: 'diagnose' });
        ids.push(r.id);
        const sessions = parseQuserRows(r.diagnosis?.sessions ?? []);
        for (const a of vm.accounts ?? []) {
          const s = sessions.find((x) => x.username === a.name);
          checks.push(check(`rdpfix reads ${a.name} as ${a.state}`, !!s && s.state === a.state, s ? `read as ${s.state} (raw state "${s.rawState}")` : `not found in ${JSON.stringify(r.diagnosis?.sessions ?? null)}`));
        }
        const expect: Record<string, string> = {};
        (vm.accounts ?? []).forEach((a, i) => (expect[`account.${i + 1}`] = a.name));
        pester = await this.pester(vm, 'quser-names', snap.lines, expect);
        break;
      }
    }
    checks.push(check('Pester reported', pester !== null, pester ? `${pester.passed} passed, ${pester.failed} failed` : 'no Pester summary (is Pester 3.4/4.x installed?)'));
    if (pester) checks.push(check('Pester tests passed', pester.failed === 0, pester.failures.join(' | ') || 'all passed'));
    return {
      instanceId: vm.instanceId,
      os: vm.os,
      locale: vm.locale ?? null,
      scenario,
      passed: checks.every((c) => c.passed),
      checks,
      remediationIds: ids,
      pester,
      before: snap.values,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
}
