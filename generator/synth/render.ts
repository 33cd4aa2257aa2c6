import { createRequire } from 'node:module';
import { problemAt } from '../errors.js';
import { precompiledTemplate } from '../precompiled/lookup.js';

/** How every .hbs source is compiled (tools/precompile.ts precompiles the shipped ones with the same options). */
export const HANDLEBARS_OPTIONS = { strict: true, noEscape: true } as const;

// The Handlebars compiler is loaded only for a template that was not precompiled (a changed or a user's source):
// a require outside the bundle (bin/load-bundle.cjs), from the package's node_modules.
const loadHandlebars = () => createRequire(import.meta.url)('handlebars') as typeof import('handlebars');

/**
 * Renders one `.hbs` source. Strict mode: a name missing from the model is an error, not an empty string.
 * No HTML escaping, because the output is YAML and Markdown. Helm's own `{{ }}` only ever appear in non-.hbs files.
 */
export function renderHandlebars(source: string, model: Record<string, unknown>, file: string, absent: AbsentNames = {}): string {
  try {
    const template = precompiledTemplate(source) ?? loadHandlebars().compile(source, HANDLEBARS_OPTIONS);
    return template(model);
  } catch (e) {
    throw blameAbsentSource((e as Error).message, source, file, absent) ?? problemAt(file, undefined, `template error: ${explain((e as Error).message, source, model)}`);
  }
}

/** Model names that are missing because a source file is: name → that file (e.g. valuesTable → the values schema). */
export type AbsentNames = Record<string, string>;

/** A template that uses a name whose source file does not exist: the missing file is the problem, not the template. */
function blameAbsentSource(message: string, source: string, file: string, absent: AbsentNames): Error | undefined {
  const missing = MISSING.exec(message);
  if (!missing) return undefined;
  const [, , line, column] = missing;
  const expression = expressionAt(source, Number(line), Number(column)) ?? missing[1];
  const missingFile = absent[expression.split('.')[0]];
  if (!missingFile) return undefined;
  return problemAt(missingFile, undefined, `does not exist, but ${file} line ${line} uses {{${expression}}}, which is generated from it`);
}

const MISSING = /^"(.+)" not defined in .* - (\d+):(\d+)$/;
const expressionAt = (source: string, line: number, column: number) => /^[\w.@/-]+/.exec(source.split('\n')[line - 1]?.slice(column) ?? '')?.[0];

/** Handlebars' messages name neither the whole expression nor what the model offers; say both. */
function explain(message: string, source: string, model: Record<string, unknown>): string {
  const missing = MISSING.exec(message);
  if (missing) {
    const [, , line, column] = missing;
    const expression = expressionAt(source, Number(line), Number(column)) ?? missing[1];
    return `line ${line}: {{${expression}}}: ${missingPart(expression, model)}`;
  }
  const lines = message.split('\n');
  const parse = /^Parse error on line (\d+):$/.exec(lines[0]);
  return parse ? `line ${parse[1]}: parse error: ${lines[lines.length - 1]}` : lines[0];
}

/** Walks `a.b.c` through the model and names the first part that is not there, with what is there instead. */
function missingPart(expression: string, model: Record<string, unknown>): string {
  let node: unknown = model;
  let path = '';
  for (const part of expression.split('.')) {
    const here = node && typeof node === 'object' ? (node as Record<string, unknown>) : {};
    if (!(part in here)) {
      // At the top, the name may have been looked up inside a block ({{#each}}), whose context we do not know.
      if (!path) return `"${part}" is not defined here (the model's top level has: ${Object.keys(here).join(', ')})`;
      return `"${part}" is not defined in "${path}" (it has: ${Object.keys(here).join(', ') || 'nothing'})`;
    }
    node = here[part];
    path = path ? `${path}.${part}` : part;
  }
  return `"${expression}" is not defined`;
}
