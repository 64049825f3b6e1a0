import { existsSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

/** Kubernetes objects validated against the OpenAPI schemas bundled in `kubernetes-models` (offline). */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

function k8sObjects(): { file: string; obj: any }[] {
  const dir = path.join(ROOT, 'deploy/k8s');
  const out: { file: string; obj: any }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      expect(doc.errors).toEqual([]);
      out.push({ file, obj: doc.toJSON() });
    }
  }
  return out;
}

describe('Kubernetes example (deploy/k8s)', () => {
  const objects = k8sObjects();
  const byKind = (kind: string) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);

  it('every object is valid against the Kubernetes schema', () => {
    expect(objects.length).toBeGreaterThanOrEqual(7);
    for (const { file, obj } of objects) {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect({ file, kind: `${obj.apiVersion}/${obj.kind}`, known: !!Model }).toEqual({ file, kind: `${obj.apiVersion}/${obj.kind}`, known: true });
      expect(() => new Model(obj).validate()).not.toThrow();
    }
  });

  it('the schema check can fail (a port that is not a number)', () => {
    const bad = JSON.parse(JSON.stringify(byKind('Deployment')[0]));
    bad.spec.template.spec.containers[0].ports[0].containerPort = 'three-thousand';
    expect(() => new Deployment(bad).validate()).toThrow(/containerPort must be integer/);
  });

  it('api and worker: Deployments with probes on the health endpoints, Services that select them, config from the ConfigMap and Secret', () => {
    const configMaps = new Set(byKind('ConfigMap').map((c) => c.metadata.name));
    const secrets = new Set(['rdpfix-secrets']);
    const graceMs = Number(byKind('ConfigMap')[0].data.SHUTDOWN_GRACE_MS);
    for (const component of ['api', 'worker']) {
      const dep = byKind('Deployment').find((d) => d.metadata.name === `rdpfix-${component}`);
      expect(dep).toBeDefined();
      const c = dep.spec.template.spec.containers[0];
      expect(c.livenessProbe.httpGet.path).toBe('/health/live');
      expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(dep.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
      for (const ref of c.envFrom) {
        if (ref.configMapRef) expect(configMaps).toContain(ref.configMapRef.name);
        if (ref.secretRef) expect(secrets).toContain(ref.secretRef.name);
      }
      const svc = byKind('Service').find((s) => s.metadata.name === `rdpfix-${component}`);
      expect(svc).toBeDefined();
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(dep.spec.template.metadata.labels[k]).toBe(v);
      expect(c.ports.map((p: any) => p.name)).toContain(svc.spec.ports[0].targetPort);
    }
    const job = byKind('Job')[0];
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/apps/cli/src/main.js', 'migrate']);
    const kustomize = parse(read('deploy/k8s/kustomization.yaml'));
    for (const r of kustomize.resources) expect(existsSync(path.join(ROOT, 'deploy/k8s', r))).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }); // YAML merge keys (<<), as Compose reads them
  const services = compose.services as Record<string, any>;
  const rdpfix = ['migrate', 'agent-sim', 'api', 'worker'];

  it('uses named images, and healthchecks that need only node (the slim image has no curl)', () => {
    for (const name of rdpfix) expect(services[name].image).toMatch(/rdpfix/);
    for (const name of ['api', 'worker', 'agent-sim']) {
      const test: string[] = services[name].healthcheck.test;
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', 'dist/apps/cli/src/healthcheck.js']);
    }
    expect(services.api.healthcheck.test[3]).toMatch(/:3000\/health\/ready$/);
    expect(services.worker.healthcheck.test[3]).toMatch(/:3001\/health\/ready$/);
    expect(existsSync(path.join(ROOT, 'apps/cli/src/healthcheck.ts'))).toBe(true);
  });

  it('runs migrations once, before api and worker', () => {
    expect(services.migrate.command).toEqual(['node', 'dist/apps/cli/src/main.js', 'migrate']);
    expect(services.migrate.restart).toBe('no');
    for (const name of ['api', 'worker']) expect(services[name].depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
  });

  it('publishes no port on all interfaces', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of (s.ports ?? []) as string[]) expect({ name, port: p, local: String(p).startsWith('127.0.0.1:') }).toEqual({ name, port: p, local: true });
    }
  });

  it('Redis: noeviction, append-only file, data on a named volume', () => {
    const cmd: string[] = services.redis.command;
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    const [volume, mount] = services.redis.volumes[0].split(':');
    expect(mount).toBe('/data');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('.env.example names every variable docker-compose.yml interpolates', () => {
    const example = read('.env.example');
    const used = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    for (const v of used) expect({ v, documented: new RegExp(`^#?${v}=`, 'm').test(example) }).toEqual({ v, documented: true });
  });
});
