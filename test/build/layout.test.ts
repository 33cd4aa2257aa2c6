// The layout's rules that a change could break without noticing: no import cycle among generator/ modules, neither at
// run time nor through type-only imports (erased when compiled, but still two modules that cannot be read apart), and
// the shipped code never imports test or development code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../generator/paths.js';

const GENERATOR = join(packageRoot, 'generator');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/**
 * The modules `file` imports: static `import … from`, `export … from`, and `import()`; with `types: false` only those
 * at run time (no `import type` / `export type`).
 */
function imports(file: string, { types }: { types: boolean }): string[] {
  const text = readFileSync(file, 'utf8');
  const statement = types ? /^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms : /^(?:import|export)(?!\s+type\s)\s[^;]*?from\s+'([^']+)'/gms;
  const specs = [...[...text.matchAll(statement)].map((m) => m[1]), ...[...text.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1])];
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
  const files = modules(GENERATOR);
  const graph = new Map(files.map((f) => [f, imports(f, { types: false })]));
  const withTypes = new Map(files.map((f) => [f, imports(f, { types: true })]));

  it('has no import cycle at run time', () => {
    expect(findCycles(graph, GENERATOR)).toEqual([]);
  });

  it('has no type-only import cycle either (a shared type lives in the module that owns the concept)', () => {
    expect(findCycles(withTypes, GENERATOR)).toEqual([]);
  });

  it('imports nothing from test/ or tools/ (neither is shipped)', () => {
    const outside = [...graph].flatMap(([f, imports]) => imports.filter((i) => !i.startsWith(`${GENERATOR}/`)).map((i) => `${relative(packageRoot, f)} -> ${relative(packageRoot, i)}`));
    expect(outside).toEqual([]);
  });

  it('loads packages and built-ins on demand with require, never import() (the bundles run in a vm.Script without an import() loader)', () => {
    const dynamic = [...graph.keys()].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/(?<!typeof )\bimport\('([^'.][^']*)'\)/g)].map((m) => `${relative(packageRoot, f)}: import('${m[1]}')`),
    );
    expect(dynamic).toEqual([]);
  });

  it('reads value and type imports and finds a cycle (the checks above can fail)', () => {
    expect(graph.get(join(GENERATOR, 'cli.ts'))).toContain(join(GENERATOR, 'commands', 'context.ts'));
    // build.ts imports its types with `import type`: not a run-time edge, but an edge with types.
    expect(graph.get(join(GENERATOR, 'commands', 'build.ts'))).not.toContain(join(GENERATOR, 'build', 'extension.ts'));
    expect(withTypes.get(join(GENERATOR, 'commands', 'build.ts'))).toContain(join(GENERATOR, 'build', 'extension.ts'));
    expect(findCycles(new Map([['/a', ['/b']], ['/b', ['/c']], ['/c', ['/a']]]), '/')).toEqual(['a -> b -> c -> a']);
  });
});
