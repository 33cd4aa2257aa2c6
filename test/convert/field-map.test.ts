// The Opta field map is data (generator/convert/opta-fields.json): its rows must have the shape the converter reads.
import { describe, expect, it } from 'vitest';
import fieldMap from '../../generator/convert/opta-fields.json' with { type: 'json' };

describe('the Opta field map (opta-fields.json)', () => {
  it('has the service module and the environment modules the converter reads', () => {
    expect(Object.keys(fieldMap)).toEqual(['k8s-service', 'base', 'dns', 'k8s-cluster', 'k8s-base', 'datadog']);
  });

  it('every row: a field once per module, converted or report, a text, clouds among aws/gcp/azure', () => {
    const problems: string[] = [];
    for (const [kind, rows] of Object.entries(fieldMap) as [string, Record<string, unknown>[]][]) {
      const seen = new Set<string>();
      for (const row of rows) {
        const where = `${kind}.${String(row.field)}`;
        if (typeof row.field !== 'string' || !/^[a-z0-9_]+$/.test(row.field)) problems.push(`${where}: field`);
        if (seen.has(String(row.field))) problems.push(`${where}: twice`);
        seen.add(String(row.field));
        if (row.how !== 'converted' && row.how !== 'report') problems.push(`${where}: how ${String(row.how)}`);
        if (typeof row.to !== 'string' || !row.to) problems.push(`${where}: to`);
        const clouds = row.clouds as unknown;
        if (clouds !== undefined && !(Array.isArray(clouds) && clouds.length && clouds.every((c) => ['aws', 'gcp', 'azure'].includes(c)))) problems.push(`${where}: clouds`);
        const extra = Object.keys(row).filter((k) => !['field', 'how', 'to', 'clouds'].includes(k));
        if (extra.length) problems.push(`${where}: unknown ${extra.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
