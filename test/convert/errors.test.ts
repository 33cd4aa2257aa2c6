// `opta-charts convert` refusals: each names the file, the path inside it and what was expected, and writes nothing.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { ROOT, tempDir } from '../opta-base/build-umbrella.js';

const tmp = tempDir('opta-convert-errors-');
afterAll(() => tmp.cleanup());

async function convert(args: string[]) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', 'convert', '--source', ROOT, ...args], { output, cwd: tmp.dir, env: {}, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

const ENV = `name: prod
org_name: acme
providers:
  aws: {region: us-east-1, account_id: "210987654321"}
modules:
  - type: k8s-base
`;
const service = (k8s: string, extra = '') => `name: api
environments:
  - name: prod
    path: env.yaml
modules:${extra}
  - type: k8s-service
    name: api
    image: ghcr.io/acme/api:1.0.0
${k8s}`;

let n = 0;
function files(env: string, ...services: string[]): string[] {
  const dir = join(tmp.dir, `case-${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'env.yaml'), env);
  services.forEach((s, i) => writeFileSync(join(dir, `svc${i}.yaml`), s));
  return [join(`case-${n}`, 'env.yaml'), ...services.map((_, i) => join(`case-${n}`, `svc${i}.yaml`))];
}

describe('convert refuses bad Opta files, naming the file, the path and what was expected; nothing is written', () => {
  it.each([
    ['an unknown k8s-service field', ENV, service('    replicas: 3\n'), 'svc0.yaml: modules[0].replicas: unknown field of k8s-service on aws (expected one of: image, tag, digest, port, ports,'],
    ['a field of another cloud (tolerations are not an Azure k8s-service field)', ENV.replace('aws: {region: us-east-1, account_id: "210987654321"}', 'azurerm: {location: westeurope}'), service('    tolerations: [{key: a}]\n'), 'svc0.yaml: modules[0].tolerations: unknown field of k8s-service on azure'],
    ['an unknown module type', ENV, service('', '\n  - type: aws-bigtable\n    name: tbl'), 'svc0.yaml: modules[0].type: "aws-bigtable" is not an Opta module type of aws service files'],
    ['an environment module in a service file', ENV, service('', '\n  - type: k8s-base'), 'svc0.yaml: modules[0].type: "k8s-base" belongs in an environment file, not a service file'],
    ['an unknown environment field', ENV.replace('  - type: k8s-base\n', '  - type: k8s-base\n    nginx_replicas: 3\n'), service(''), 'env.yaml: modules[0].nginx_replicas: unknown field of k8s-base on aws'],
    ['an unknown provider', ENV.replace('aws:', 'digitalocean:'), service(''), 'env.yaml: providers: expected exactly one of aws, google, azurerm, got digitalocean'],
    ['a provider without its region', ENV.replace('region: us-east-1, ', ''), service(''), 'env.yaml: providers.aws.region: required'],
    ['a service file given as the environment', service(''), service(''), 'env.yaml: environments: this is a service file; the first file must be the environment file'],
    ['a file that is not an Opta file', 'apiVersion: v1\nkind: ConfigMap\n', service(''), 'env.yaml: not an Opta file: expected a mapping with `name` and `modules`'],
    ['a service file with no environments', ENV, 'name: api\nmodules: []\n', 'svc0.yaml: not an Opta service file: expected `environments`'],
    ['an environments entry naming no known environment', ENV, service('').replace('  - name: prod\n    path: env.yaml', '  - name: staging\n    path: staging.yaml'), 'svc0.yaml: environments: no entry names the environment "prod"'],
    ['an unknown top-level key', ENV + 'secrets: []\n', service(''), 'env.yaml: secrets: unknown field of an Opta environment file (expected one of: name, org_name, providers, modules, input_variables)'],
    ['image AUTO without --image', ENV, service('').replace('ghcr.io/acme/api:1.0.0', 'AUTO'), 'svc0.yaml: modules[0].image: AUTO means Opta\'s own registry (the ECR repository opta-<layer>-<module>-<hash>), which this file does not name: pass --image api=REPOSITORY[:TAG]'],
    ['both port and ports', ENV, service('    port: {http: 80}\n    ports: [{name: web, type: http, port: 80}]\n'), 'svc0.yaml: modules[0].port: give `port` or `ports`, not both'],
    ['a probe path and command together', ENV, service('    port: {http: 80}\n    liveness_probe_path: /x\n    liveness_probe_command: [x]\n'), 'svc0.yaml: modules[0].liveness_probe_path: a path and a command for the liveness probe'],
    ['a link to a module not in the file', ENV, service('    links: [maindb]\n'), 'svc0.yaml: modules[0].links[0]: no module "maindb" in this file'],
    ['a numeric field Opta could not read', ENV, service('    min_containers: "{vars.min}"\n'), 'svc0.yaml: modules[0].min_containers: expected a whole number, got "{vars.min}" (pass --var min=VALUE)'],
    ['an unknown key of a cron job', ENV, service('    cron_jobs: [{commands: [x], schedule: "@daily", timezone: UTC}]\n'), 'svc0.yaml: modules[0].cron_jobs[0].timezone: unknown field (expected one of: commands, args, schedule)'],
    ['a toleration effect Kubernetes does not know', ENV, service('    tolerations: [{key: a, effect: Never}]\n'), 'svc0.yaml: modules[0].tolerations[0].effect: expected NoSchedule, PreferNoSchedule or NoExecute'],
    ['a persistent storage without its path', ENV, service('    persistent_storage: [{size: 10}]\n'), 'svc0.yaml: modules[0].persistent_storage[0].path: required'],
    ['an ACM certificate of another region (checked as values base checks --tls-cert-arn)', ENV.replace('  - type: k8s-base\n', '  - type: k8s-base\n    cert_arn: arn:aws:acm:eu-west-1:210987654321:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\n'), service(''), 'env.yaml: as `values base` flags: --tls-cert-arn: the certificate is in eu-west-1, but the cluster\'s NLB is in --region us-east-1'],
    ['a public_uri host the converter cannot resolve', ENV, service('    port: {http: 80}\n    public_uri: "{parent.load_balancer_raw_dns}/x"\n'), 'svc0.yaml: modules[0].public_uri[0]: "{parent.load_balancer_raw_dns}/x": the host has a part the converter cannot resolve'],
    ['a probe_port naming no port', ENV, service('    port: {http: 80}\n    probe_port: admin\n'), 'svc0.yaml: modules[0].probe_port: "admin" is not the name of a port'],
  ])('%s', async (_, env, svc, message) => {
    const [e, s] = files(env, svc);
    const out = join(tmp.dir, `out-${n}`);
    const r = await convert([e, s, '-o', out]);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(message.replace(/^(env|svc0)\.yaml/, (f) => join(`case-${n}`, f)));
    expect(existsSync(out)).toBe(false);
  });

  it('--env naming no entry, and --image naming no service', async () => {
    const [e, s] = files(ENV, service(''));
    expect((await convert([e, s, '--env', 'qa', '-o', 'x'])).stderr).toContain(`${s}: environments: no entry names the environment "qa" (--env); entries: prod (env.yaml)`);
    expect((await convert([e, s, '--image', 'web=nginx', '-o', 'x'])).stderr).toContain('--image web=...: no service file is named "web" (services: api)');
    expect((await convert([e, s, '--var', 'novalue', '-o', 'x'])).stderr).toContain('--var novalue: expected KEY=VALUE');
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });

  it('without --env, an entry whose path is the environment file is used even when its name is another label', async () => {
    const [e, s] = files(ENV, service('    port: {http: 8080}\n').replace('  - name: prod\n    path: env.yaml', '  - name: live\n    path: env.yaml\n    variables: {x: 1}'));
    expect((await convert([e, s, '-o', join(tmp.dir, 'by-path')])).code).toBe(0);
    const [e2, s2] = files(ENV, service('').replace('  - name: prod\n    path: env.yaml', '  - name: live\n    path: other/env.yaml'));
    expect((await convert([e2, s2, '-o', join(tmp.dir, 'by-path-2')])).stderr).toContain(`${s2}: environments: no entry names the environment "prod" (${e2}); entries: live (other/env.yaml)`);
  });

  it('refuses to replace earlier output without --force, and replaces it all with --force', async () => {
    const [e, s] = files(ENV, service('    port: {http: 8080}\n'));
    const out = join(tmp.dir, 'again');
    expect((await convert([e, s, '-o', out])).code).toBe(0);
    const first = readdirSync(out).sort();
    expect(first).toEqual(['MIGRATION.md', 'api.values.yaml', 'install.sh', 'opta-base.trust-anchor.crt.pem', 'opta-base.trust-anchor.key.pem', 'opta-base.values.yaml']);
    const again = await convert([e, s, '-o', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`-o ${out}: already holds opta-base.values.yaml, opta-base.trust-anchor.key.pem, opta-base.trust-anchor.crt.pem, api.values.yaml, MIGRATION.md, install.sh`);
    expect((await convert([e, s, '-o', out, '--force'])).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(first);
  });

  it('unresolved {vars.x} in a string is kept and reported, with the --var that resolves it', async () => {
    const [e, s] = files(ENV, service('    port: {http: 8080}\n    env_vars: {REGION: "{vars.region}", ZONE: "{aws.region}-a"}\n'));
    const out = join(tmp.dir, 'unresolved');
    expect((await convert([e, s, '-o', out])).code).toBe(0);
    const report = (await import('node:fs')).readFileSync(join(out, 'MIGRATION.md'), 'utf8');
    expect(report).toContain('| `modules[0].env_vars.REGION` | `{vars.region}` | variable "region" has no value: pass --var region=VALUE |');
    const values = (await import('node:fs')).readFileSync(join(out, 'api.values.yaml'), 'utf8');
    expect(values).toContain('ZONE: us-east-1-a');
  });

  it('--help names every flag and what is written', async () => {
    const output = memoryOutput();
    expect(await main(['node', 'opta-charts', 'convert', '--help'], { output, cwd: tmp.dir, env: {}, stdin: process.stdin })).toBe(0);
    const help = output.stdout.join('\n');
    for (const flag of ['--env <name>', '--var <key=value>', '--image <service=repository>', '--acme-email', '--tls-secret', '-o, --output <dir>', '--force', 'new mesh identity', 'MIGRATION.md', 'install.sh']) expect(help).toContain(flag);
  });
});
