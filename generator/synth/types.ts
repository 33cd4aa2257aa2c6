import type { FileTree } from '../fs/tree.js';

/** A JSON Schema object (draft-07). */
export type JsonSchema = { [key: string]: unknown };

/** What `build` reads for one chart before any rendering. */
export interface ChartSources {
  /** Directory name under chart-templates/, which must equal Chart.yaml's name. */
  name: string;
  /** chart-templates/<name>, for error messages. */
  dir: string;
  files: FileTree;
  /** schemas/<name>.values.schema.json, the single source of values.yaml, values.schema.json and the README values table. */
  schema?: JsonSchema;
  schemaFile?: string;
}
