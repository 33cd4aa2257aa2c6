import Handlebars from 'handlebars';
import { problemAt } from '../errors.js';

/**
 * Renders one `.hbs` source. Strict mode: a name missing from the model is an error, not an empty string.
 * No HTML escaping, because the output is YAML and Markdown. Helm's own `{{ }}` only ever appear in non-.hbs files.
 */
export function renderHandlebars(source: string, model: Record<string, unknown>, file: string): string {
  try {
    return Handlebars.compile(source, { strict: true, noEscape: true })(model);
  } catch (e) {
    throw problemAt(file, undefined, `template error: ${(e as Error).message.split('\n')[0]}`);
  }
}
