// Small charts with real archive bytes for fetch tests (the upstream names/versions come from the catalog elsewhere).
import { packChart } from '../../generator/package/archive.js';
import type { ServedChart } from '../support/chart-repo-server.js';

export function tinyChart(name: string, version: string, marker = ''): ServedChart {
  const files = {
    'Chart.yaml': Buffer.from(`apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: stand-in ${marker}\n`),
    'values.yaml': Buffer.from('{}\n'),
    'templates/configmap.yaml': Buffer.from(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-${name}\n`),
  };
  return { name, version, archive: packChart(name, files) };
}
