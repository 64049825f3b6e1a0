import { readFileSync } from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { balanced, knownMetricNames, metricsIn } from './support/known-metrics';

const ROOT = path.resolve(__dirname, '../..');

/**
 * deploy/prometheus/alerts.yml and deploy/grafana/rdpfix-dashboard.json: well-formed, in the
 * shape Prometheus and Grafana load, and every rdpfix_* metric they query is one the API or
 * the worker really exposes (a renamed metric would silently empty a panel or mute an alert).
 */
describe('monitoring files', () => {
  let known: Set<string>;
  beforeAll(async () => {
    known = await knownMetricNames();
  });

  it('alerts.yml is a valid Prometheus rule file over existing metrics', () => {
    const doc = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8'));
    expect(Object.keys(doc)).toEqual(['groups']);
    expect(Array.isArray(doc.groups)).toBe(true);
    const names: string[] = [];
    for (const g of doc.groups) {
      expect(typeof g.name).toBe('string');
      expect(Array.isArray(g.rules)).toBe(true);
      for (const r of g.rules) {
        expect(Object.keys(r).every((k) => ['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(k))).toBe(true);
        expect(r.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        expect(typeof r.expr).toBe('string');
        expect(balanced(r.expr)).toBe(true);
        expect(r.for).toMatch(/^\d+[smhd]$/);
        expect(['critical', 'warning', 'info']).toContain(r.labels.severity);
        expect(typeof r.annotations.summary).toBe('string');
        for (const m of metricsIn(r.expr)) expect({ alert: r.alert, metric: m, known: known.has(m) }).toEqual({ alert: r.alert, metric: m, known: true });
        names.push(r.alert);
      }
    }
    expect(new Set(names).size).toBe(names.length);
    // The issue asks for these three at least.
    expect(names).toEqual(expect.arrayContaining(['RdpfixRemediationsStuck', 'RdpfixRemediationFailureRate', 'RdpfixChannelThrottling']));
  });

  it('the lint can fail: an unknown metric and an unbalanced expression are caught', () => {
    expect(metricsIn('rate(rdpfix_nope_total[5m])').every((m) => known.has(m))).toBe(false);
    expect(balanced('sum(rate(rdpfix_commands_total[5m])')).toBe(false);
  });

  it('the Grafana dashboard is valid JSON whose panels query existing metrics', () => {
    const dash = JSON.parse(readFileSync(path.join(ROOT, 'deploy/grafana/rdpfix-dashboard.json'), 'utf8'));
    expect(dash).toMatchObject({ title: 'rdpfix', uid: 'rdpfix-overview' });
    expect(dash.panels.length).toBeGreaterThanOrEqual(10);
    const ids = new Set<number>();
    const used = new Set<string>();
    for (const p of dash.panels) {
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
      expect(['timeseries', 'stat']).toContain(p.type);
      expect(p.gridPos).toEqual({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number) });
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(balanced(t.expr)).toBe(true);
        for (const m of metricsIn(t.expr)) {
          expect({ panel: p.title, metric: m, known: known.has(m) }).toEqual({ panel: p.title, metric: m, known: true });
          used.add(m);
        }
      }
    }
    // Every family the issue names has a panel.
    for (const m of ['rdpfix_remediation_outcomes_total', 'rdpfix_commands_total', 'rdpfix_channel_calls_total', 'rdpfix_channel_throttles_total', 'rdpfix_webhook_deliveries_total', 'rdpfix_queue_jobs', 'rdpfix_reconciler_requeued_total']) {
      expect(used).toContain(m);
    }
  });
});
