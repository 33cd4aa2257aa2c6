// opta-service's ChartExtension: the README's Opta field table, from the converter's field map (one source for both).
import type { ChartExtension } from '../../build/extension.js';
import { fieldTable, K8S_SERVICE_FIELDS } from '../../convert/opta-fields.js';

export function optaServiceExtension(): ChartExtension {
  return {
    async contribute() {
      return { model: { optaFieldTable: fieldTable(K8S_SERVICE_FIELDS) } };
    },
  };
}
