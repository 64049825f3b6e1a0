import { readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';

const LIBS = path.resolve(__dirname, '../..');

/** Every `@rdpfix/<lib>` a lib's non-test source imports (type-only imports count: they couple too). */
function libGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const lib of readdirSync(LIBS)) {
    const deps = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.spec.ts') && !p.includes(`${path.sep}testing${path.sep}`)) {
          for (const m of readFileSync(p, 'utf8').matchAll(/from '@rdpfix\/([a-z-]+)/g)) if (m[1] !== lib) deps.add(m[1]);
        }
      }
    };
    walk(path.join(LIBS, lib, 'src'));
    graph.set(lib, deps);
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('lib dependency graph', () => {
  it('has no import cycle between libs', () => {
    expect(findCycle(libGraph())).toBeNull();
  });

  it('detects a cycle when there is one (the check can fail)', () => {
    const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps domain pure: it imports no other lib', () => {
    expect([...(libGraph().get('domain') ?? [])]).toEqual([]);
  });
});
