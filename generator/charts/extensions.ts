import type { ChartExtension } from '../build/extension.js';
import { optaBaseExtension } from './opta-base/extension.js';
import { optaServiceExtension } from './opta-service/extension.js';

/** Chart name → its extension. Charts without one are rendered from their sources and schema alone. */
export const chartExtensions: Record<string, ChartExtension> = {
  'opta-base': optaBaseExtension(),
  'opta-service': optaServiceExtension(),
};
