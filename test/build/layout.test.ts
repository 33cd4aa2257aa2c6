// The layout's rules that a change could break without noticing: no import cycle among generator/ modules (a value
// import; type-only imports are erased), and the shipped code never imports test or development code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../generator/paths.js';

const GENERATOR = join(packageRoot, 'generator');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The modules `file` imports at run time: static `import … from` (not `import type`), `export … from`, and `import()`. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...[...text.matchAll(/^(?:import|export)(?!\s+type\s)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]),
    ...[...text.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1]),
  ];
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every cycle reachable in `graph`, as `a -> b -> a` (names relative to `base`). */
function findCycles(graph: Map<string, string[]>, base: string): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (f: string) => {
    if (path.includes(f)) return void cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(base, p)).join(' -> '));
    if (done.has(f)) return;
    path.push(f);
    for (const g of graph.get(f) ?? []) visit(g);
    path.pop();
    done.add(f);
  };
  [...graph.keys()].forEach(visit);
  return cycles;
}

describe('generator/ layout', () => {
  const graph = new Map(modules(GENERATOR).map((f) => [f, valueImports(f)]));

  it('has no import cycle', () => {
    expect(findCycles(graph, GENERATOR)).toEqual([]);
  });

  it('imports nothing from test/ or tools/ (neither is shipped)', () => {
    const outside = [...graph].flatMap(([f, imports]) => imports.filter((i) => !i.startsWith(`${GENERATOR}/`)).map((i) => `${relative(packageRoot, f)} -> ${relative(packageRoot, i)}`));
    expect(outside).toEqual([]);
  });

  it('reads value imports and finds a cycle (the checks above can fail)', () => {
    expect(graph.get(join(GENERATOR, 'cli.ts'))).toContain(join(GENERATOR, 'commands', 'context.ts'));
    // build.ts imports its types with `import type`: not a run-time edge.
    expect(graph.get(join(GENERATOR, 'commands', 'build.ts'))).not.toContain(join(GENERATOR, 'build', 'extension.ts'));
    expect(findCycles(new Map([['/a', ['/b']], ['/b', ['/c']], ['/c', ['/a']]]), '/')).toEqual(['a -> b -> c -> a']);
  });
});
