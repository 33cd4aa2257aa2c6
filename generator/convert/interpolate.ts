// Opta's interpolation (pure). Opta formats every string of a module with Python's str.format over the layer's
// metadata (opta/layer.py metadata_hydration): `{vars.X}` / `{variables.X}`, `{env}`, `{layer_name}`, `{parent_name}`,
// `{region}`, `{parent.<output>}` / `{parent[<output>]}`, the providers (`{aws.account_id}`, ...); `{{`/`}}` are literal
// braces. `${{module.<name>.<output>}}` survives formatting as a Terraform reference to another module's output.
// Whatever the converter cannot know is kept as written and reported.

export interface Unresolved {
  /** Where, e.g. `modules[0].env_vars.DB_HOST`. */
  path: string;
  text: string;
  why: string;
}

export interface Context {
  vars: Record<string, unknown>;
  /** Plain names: env, layer_name, parent_name, region. */
  names: Record<string, string>;
  /** Dotted scopes: parent outputs, providers (`aws`, `google`, `azurerm`). */
  scopes: Record<string, Record<string, unknown>>;
}

const TERRAFORM_REF = /\$\{\{([^}]*)\}\}/g;
// A format field `{...}` (Python format spec and conversion are not used in Opta files), or an escaped brace.
const FIELD = /\{\{|\}\}|\{([^{}]*)\}/g;

function lookup(ctx: Context, expr: string): { value?: string; why?: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_-]+)|\[([A-Za-z0-9_-]+)\])?$/.exec(expr.trim());
  if (!m) return { why: 'not an Opta variable' };
  const [, head, dotted, indexed] = m;
  const key = dotted ?? indexed;
  if (key === undefined) return head in ctx.names ? { value: ctx.names[head] } : { why: `no value for {${head}} in a converted file` };
  if (head === 'vars' || head === 'variables') {
    return key in ctx.vars ? { value: String(ctx.vars[key]) } : { why: `variable "${key}" has no value: pass --var ${key}=VALUE` };
  }
  const scope = ctx.scopes[head];
  if (scope && key in scope && scope[key] !== undefined) return { value: String(scope[key]) };
  if (head === 'parent') return { why: `the environment's output "${key}" exists only in Opta's Terraform state: pass --var and replace it, or fill it in` };
  return { why: `no value for {${expr}}` };
}

function interpolateString(text: string, ctx: Context, path: string, out: Unresolved[]): string {
  for (const ref of text.matchAll(TERRAFORM_REF)) {
    out.push({ path, text: ref[0], why: `a Terraform output (${ref[1].trim()}) of Opta's state: fill in its value` });
  }
  // Keep Terraform references out of the format pass (their braces are not format fields).
  const parts = text.split(TERRAFORM_REF);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `\${{${part}}}`;
      return part.replace(FIELD, (whole, expr: string | undefined) => {
        if (whole === '{{') return '{';
        if (whole === '}}') return '}';
        const { value, why } = lookup(ctx, expr!);
        if (value !== undefined) return value;
        out.push({ path, text: whole, why: why! });
        return whole;
      });
    })
    .join('');
}

/** Every string in `value` interpolated (keys too, as Opta formats whole module data); unresolved parts recorded in `out`. */
export function interpolate<T>(value: T, ctx: Context, path: string, out: Unresolved[]): T {
  if (typeof value === 'string') return interpolateString(value, ctx, path, out) as T;
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, ctx, `${path}[${i}]`, out)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, ctx, `${path}.${k}`, out)])) as T;
  }
  return value;
}
