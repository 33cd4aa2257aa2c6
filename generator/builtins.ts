// Node built-ins that a run may never need (child_process with net and dgram, https, tls), loaded on first use. Through
// require, never `import()`: the bundles run in a vm.Script (bin/load-bundle.cjs), where `import()` of a module the
// bundle does not hold has no loader (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

export const childProcessModule = () => requireBuiltin('node:child_process') as typeof import('node:child_process');
export const httpsModule = () => requireBuiltin('node:https') as typeof import('node:https');
export const tlsModule = () => requireBuiltin('node:tls') as typeof import('node:tls');
