import { FieldResult } from './run';

/** A Markdown report to attach to the field-validation issue (docs/field-validation.md). */
export function markdownReport(results: FieldResult[], meta: { rdpfixVersion: string; runAt: string }): string {
  const lines = [
    `# rdpfix field validation (${meta.runAt})`,
    '',
    `rdpfix ${meta.rdpfixVersion}. ${results.filter((r) => r.passed).length} of ${results.length} scenario runs passed.`,
    '',
    '| VM | OS | locale | scenario | result | remediations |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.instanceId} | ${r.os} | ${r.locale ?? ''} | ${r.scenario} | ${r.passed ? 'PASS' : '**FAIL**'} | ${r.remediationIds.join(', ')} |`),
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.instanceId} ${r.os} ${r.scenario}: ${r.passed ? 'PASS' : 'FAIL'}`, '');
    for (const c of r.checks) lines.push(`- ${c.passed ? '[x]' : '[ ]'} ${c.name}: ${c.detail}`);
    lines.push('', `Before: \`${JSON.stringify(r.before)}\``, '');
  }
  return lines.join('\n');
}
