// The registry options `publish` and `build --publish-to` share: one definition, so both read the same flags.
import type { Command } from 'commander';

export interface RegistryFlags {
  force?: boolean;
  plainHttp?: boolean;
  caFile?: string;
  username?: string;
  passwordStdin?: boolean;
  timeout: string;
}

export const DEFAULT_TIMEOUT_SECONDS = '300';

/** Adds the registry options to `command`; `note` ends each description (e.g. "(with --publish-to)"). */
export function addRegistryOptions(command: Command, note = ''): Command {
  const with_ = (text: string) => (note ? `${text} ${note}` : text);
  return command
    .option('--force', with_('replace a version that already exists with different content'))
    .option('--plain-http', with_('use plain HTTP instead of TLS (loopback/test registries)'))
    .option('--ca-file <file>', with_('trust this PEM CA bundle for the registry, in addition to the system CAs'))
    .option('--username <name>', with_('registry user name (with --password-stdin)'))
    .option('--password-stdin', with_('read the registry password or token from standard input'))
    .option('--timeout <seconds>', with_('give up after this long, retries included'), DEFAULT_TIMEOUT_SECONDS);
}
