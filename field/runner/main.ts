import * as fs from 'fs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Command } from 'commander';
import { checkFieldConfig, FieldConfig } from './config';
import { RdpfixApi } from './rdpfix-api';
import { markdownReport } from './report';
import { FieldResult, FieldRun } from './run';
import { FieldSsm } from './ssm';

/**
 * rdpfix field validation: runs the issue 7 scenarios on the customer's own test VMs through SSM
 * and a running rdpfix, and writes report.json + report.md. docs/field-validation.md.
 *   node dist/field/runner/main.js --config field/field-config.json --out field-report
 */
async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('rdpfix-field')
    .requiredOption('--config <file>', 'JSON config (see field/field-config.example.json)')
    .option('--out <dir>', 'where report.json and report.md go', 'field-report')
    .option('--only <scenario>', 'run just this scenario')
    .parse(argv);
  const opts = program.opts<{ config: string; out: string; only?: string }>();
  const cfg = JSON.parse(fs.readFileSync(opts.config, 'utf8')) as FieldConfig;
  const problems = checkFieldConfig(cfg);
  if (problems.length) {
    process.stderr.write(`config problems:\n  ${problems.join('\n  ')}\n`);
    return 2;
  }
  const apiKey = process.env[cfg.rdpfixApiKeyEnv];
  if (!apiKey) {
    process.stderr.write(`set ${cfg.rdpfixApiKeyEnv} to an rdpfix API key of role support\n`);
    return 2;
  }
  const ssm = new SSMClient({ region: cfg.region, ...(cfg.ssmEndpoint ? { endpoint: cfg.ssmEndpoint } : {}) });
  const run = new FieldRun(cfg, new FieldSsm(ssm), new RdpfixApi(cfg.rdpfixUrl, apiKey));
  const results: FieldResult[] = [];
  for (const vm of cfg.vms) {
    for (const scenario of vm.scenarios) {
      if (opts.only && opts.only !== scenario) continue;
      process.stdout.write(`${vm.instanceId} ${vm.os} ${scenario} ... `);
      try {
        const r = await run.run(vm, scenario);
        results.push(r);
        process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'}\n`);
      } catch (err) {
        const now = new Date().toISOString();
        results.push({ instanceId: vm.instanceId, os: vm.os, locale: vm.locale ?? null, scenario, passed: false, checks: [{ name: 'ran', passed: false, detail: (err as Error).message }], remediationIds: [], pester: null, before: {}, startedAt: now, finishedAt: now });
        process.stdout.write(`ERROR ${(err as Error).message}\n`);
      }
    }
  }
  ssm.destroy();
  fs.mkdirSync(opts.out, { recursive: true });
  const runAt = new Date().toISOString();
  const version = (JSON.parse(fs.readFileSync(require.resolve('../../../package.json'), 'utf8')) as { version: string }).version;
  fs.writeFileSync(`${opts.out}/report.json`, JSON.stringify({ runAt, rdpfixVersion: version, results }, null, 2));
  fs.writeFileSync(`${opts.out}/report.md`, markdownReport(results, { rdpfixVersion: version, runAt }));
  return results.every((r) => r.passed) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
