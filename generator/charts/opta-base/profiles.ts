// Value profiles of the stack catalog (`profiles.<name>.components.<component>`), written into a values file by
// `values base --<name>` so the user sees and owns every setting (pure).
import { UserError } from '../../errors.js';
import type { Catalog, Values } from './catalog.js';
import { mergeValues, SWITCHES_KEY, type UmbrellaDependency } from './model.js';

/** Whether a dependency will be on with these values: its switch if set, else its catalog default. */
function isOn(values: Values, d: UmbrellaDependency): boolean {
  const switched = (values[SWITCHES_KEY] as Values | undefined)?.[d.key];
  return typeof switched === 'boolean' ? switched : d.component.enabledByDefault !== false;
}

/** `values` with profile `name` merged into the section of every dependency of `provider` that is on (profile wins). */
export function withProfile(catalog: Catalog, deps: UmbrellaDependency[], values: Values, provider: string, name: string): Values {
  const profile = catalog.profiles?.[name];
  if (!profile) throw new UserError(`--${name}: the stack catalog has no profile "${name}"`);
  const out: Values = { ...values };
  for (const d of deps) {
    const own = profile.components[d.component.name];
    if (!own || !d.providers.includes(provider) || !isOn(values, d)) continue;
    out[d.key] = mergeValues((out[d.key] as Values | undefined) ?? {}, own);
  }
  return out;
}
