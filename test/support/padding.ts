// Deterministic filler of realistic shape and compressibility, for stand-in upstream charts of realistic size and the
// benchmark's generated charts: CRD-shaped YAML (compresses about as well as real CRDs), Markdown prose and tables,
// and base64 data (compresses poorly). Generated from a seed, never copied; the same seed gives the same bytes.
import yaml from 'js-yaml';

/** A small, fast seeded PRNG (mulberry32) from a string seed. */
export function seededRandom(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a of to is when this field that for in be if and or not set by from with on as are it must which default ' +
  'value name namespace pod container resource object selector label annotation spec status condition type reason ' +
  'message time duration seconds port protocol address endpoint service route gateway listener certificate issuer ' +
  'secret key reference kind version group policy rule match header path prefix weight backend request response ' +
  'timeout retry limit replicas template volume mount image pull strategy affinity toleration node zone cluster ' +
  'identity trust anchor proxy mesh traffic authorization server client tls mode enabled disabled optional required ' +
  'list map string integer boolean number controller webhook admission observed generation last transition update ' +
  'delete create configuration provider account token audience scope filter domain record owner interval schedule'
).split(' ');
const IDENT = 'spec status config target source endpoint backend listener policy rule match header path retry timeout limit selector template volume secret issuer solver challenge order route filter mirror redirect rewrite weight'.split(' ');
const TYPES = ['string', 'integer', 'boolean', 'string', 'string'];

const pick = <T>(rnd: () => number, xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
const sentence = (rnd: () => number, min: number, max: number): string => {
  const n = min + Math.floor(rnd() * (max - min + 1));
  const words = Array.from({ length: n }, () => pick(rnd, WORDS));
  const s = words.join(' ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
};
const camel = (rnd: () => number): string => {
  const a = pick(rnd, IDENT);
  const b = pick(rnd, IDENT);
  return a === b ? a : `${a}${b[0].toUpperCase()}${b.slice(1)}`;
};

/** Appends schema properties at `indent` until `out` reaches `target` characters (depth-limited nesting). */
function properties(rnd: () => number, indent: string, depth: number, out: string[], size: { n: number }, target: number): void {
  const count = 3 + Math.floor(rnd() * 6);
  for (let i = 0; i < count && size.n < target; i++) {
    const lines = [`${indent}${camel(rnd)}${i}:`, `${indent}  description: ${sentence(rnd, 6, 40)}`];
    const nested = depth < 5 && rnd() < 0.35;
    if (nested) lines.push(`${indent}  type: object`, `${indent}  properties:`);
    else {
      const type = pick(rnd, TYPES);
      lines.push(`${indent}  type: ${type}`);
      if (type === 'integer') lines.push(`${indent}  format: int32`, `${indent}  minimum: 0`);
      if (type === 'string' && rnd() < 0.2) lines.push(`${indent}  enum:`, ...Array.from({ length: 3 }, () => `${indent}  - ${camel(rnd)}`));
    }
    const text = `${lines.join('\n')}\n`;
    out.push(text);
    size.n += text.length;
    if (nested) properties(rnd, `${indent}    `, depth + 1, out, size, target);
  }
}

/** One CustomResourceDefinition document of about `bytes` characters (an open-ended generated schema). */
export function crdShapedYaml(seed: string, group: string, kind: string, bytes: number): string {
  const rnd = seededRandom(seed);
  const plural = `${kind.toLowerCase()}s`;
  const schema = { description: sentence(rnd, 10, 30), type: 'object' };
  const version = { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } };
  const names = { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() };
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` }, spec: { group, names, scope: 'Namespaced', versions: [version] } };
  // js-yaml writes the schema last, at 8 spaces: its properties follow at 10.
  const head = `---\n${yaml.dump(crd, { noArrayIndent: true })}        properties:\n`;
  const out = [head];
  const size = { n: head.length };
  while (size.n < bytes) properties(rnd, '          ', 0, out, size, bytes);
  return out.join('');
}

/** Markdown of about `bytes` characters: sections of prose and parameter tables, as chart READMEs have. */
export function markdownText(seed: string, title: string, bytes: number): string {
  const rnd = seededRandom(seed);
  const out = [`# ${title}\n\n${sentence(rnd, 15, 40)}\n`];
  let n = out[0].length;
  for (let s = 1; n < bytes; s++) {
    const rows = Array.from({ length: 4 + Math.floor(rnd() * 12) }, () => `| \`${camel(rnd)}.${camel(rnd)}\` | ${pick(rnd, TYPES)} | \`${pick(rnd, ['""', 'false', 'true', '1', '{}', '[]'])}\` | ${sentence(rnd, 5, 25)} |`);
    const text = `\n## ${sentence(rnd, 2, 5).slice(0, -1)} ${s}\n\n${sentence(rnd, 20, 60)} ${sentence(rnd, 10, 40)}\n\n| Key | Type | Default | Description |\n|-----|------|---------|-------------|\n${rows.join('\n')}\n`;
    out.push(text);
    n += text.length;
  }
  return out.join('');
}

/** About `bytes` characters of base64 of pseudo-random bytes (a bundled binary or certificate-like data), 76-column lines. */
export function base64Data(seed: string, bytes: number): string {
  const rnd = seededRandom(seed);
  const raw = Buffer.alloc(Math.ceil((bytes * 3) / 4));
  for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE(Math.floor(rnd() * 4294967296), Math.min(i, raw.length - 4));
  return `${(raw.toString('base64').match(/.{1,76}/g) ?? []).join('\n')}\n`;
}
