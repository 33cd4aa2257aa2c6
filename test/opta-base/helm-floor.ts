// opta-base refuses Helm 3.18.0 (helm/helm#30923) with one message; tests expect it from that release.
import type { HelmRelease } from '../support/helm.js';

export const HELM_FLOOR_MESSAGE = 'opta-base needs Helm 3.18.1 or newer (or Helm 4); this is Helm v3.18.0';

/** False for the Helm release opta-base refuses (3.18.0 reads a values default of 0 as true). */
export const rendersOptaBase = (helm: HelmRelease): boolean => helm.version !== '3.18.0';
