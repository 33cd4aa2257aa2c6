// Across the two charts: an opta-service pod with `datadog.enabled`, meshed by opta-base's Linkerd, reaches the
// Datadog agent that opta-base runs, on the agent's host ports, and those ports bypass the Linkerd proxy.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allContainers, injectLinkerd, linkerdEffectiveValues, type Obj, optaBaseLinkerd, podTemplateOf } from '../support/cluster/index.js';
import { HELMS, runHelm } from '../support/helm.js';
import { buildChart, type BuiltChart, ciValuesFile } from '../opta-service/chart.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { rendersOptaBase } from './helm-floor.js';

const tmp = tempDir('opta-base-datadog-service-');
let base = '';
let service: BuiltChart;
beforeAll(async () => {
  base = join(tmp.dir, 'opta-base.tgz');
  writeFileSync(base, (await buildUmbrella()).archive);
  service = await buildChart();
});
afterAll(() => {
  tmp.cleanup();
  service?.cleanup();
});

async function objects(helm: (typeof HELMS)[number], args: string[]): Promise<Obj[]> {
  const r = await runHelm(helm, ['template', ...args]);
  if (r.code !== 0) throw new Error(`helm ${helm.version} template failed:\n${r.stderr}`);
  return (yaml.loadAll(r.stdout) as Obj[]).filter(Boolean);
}

const envOf = (c: Obj) => Object.fromEntries((c.env ?? []).map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
const csv = (v: unknown) => String(v ?? '').split(',').filter(Boolean).map(Number);

describe.each(HELMS.filter(rendersOptaBase))('with helm $version', (helm) => {
  /** The node agent's ports as pods on the node reach them: hostPort and protocol, by container port name. */
  async function agentHostPorts(): Promise<Record<string, { hostPort: number; protocol: string }>> {
    const rendered = await objects(helm, ['opta-base', base, '-n', 'opta-system', '-f', join(ROOT, 'chart-templates/opta-base/ci/aws-datadog-values.yaml')]);
    const agent = rendered.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'opta-base-datadog')!;
    const ports = agent.spec.template.spec.containers.flatMap((c: Obj) => c.ports ?? []);
    return Object.fromEntries(ports.filter((p: Obj) => p.hostPort).map((p: Obj) => [p.name, { hostPort: p.hostPort, protocol: p.protocol }]));
  }

  it('a meshed service pod sends traces and metrics to the agent on its node, around the proxy', async () => {
    const agent = await agentHostPorts();
    expect(agent).toEqual({ dogstatsdport: { hostPort: 8125, protocol: 'UDP' }, traceport: { hostPort: 8126, protocol: 'TCP' } });

    const rendered = await objects(helm, ['app', service.archive, '-n', 'hello-world', '-f', ciValuesFile('datadog')]);
    const deployment = rendered.find((o) => o.kind === 'Deployment')!;
    const namespace = { name: 'hello-world', annotations: {}, labels: {} };
    const linkerd = await optaBaseLinkerd('aws');
    const pod = injectLinkerd(podTemplateOf(deployment)!, namespace, linkerd);
    // The proxy runs as a container or, with native sidecars, as an init container.
    expect(allContainers(pod.spec).map((c: Obj) => c.name)).toContain('linkerd-proxy');

    const env = envOf(pod.spec.containers.find((c: Obj) => c.name === 'app'));
    // The node's address, where the agent's host ports are.
    expect(env.DD_AGENT_HOST).toEqual({ fieldRef: { fieldPath: 'status.hostIP' } });
    expect(Number(env.DD_TRACE_AGENT_PORT)).toBe(agent.traceport.hostPort);
    expect(Number(env.DD_DOGSTATSD_PORT)).toBe(agent.dogstatsdport.hostPort);

    // The ports the proxy's iptables rules leave alone (read by linkerd-init and by the CNI plugin alike). DogStatsD
    // is UDP, which Linkerd never redirects; APM is TCP and would otherwise go through the proxy.
    const skipped = csv(linkerdEffectiveValues(pod, namespace, linkerd).proxyInit.ignoreOutboundPorts);
    expect(skipped).toEqual(expect.arrayContaining([agent.traceport.hostPort, agent.dogstatsdport.hostPort]));
  });

  it('with datadog.admissionController, the pod carries the label the opt-in Cluster Agent mutates', async () => {
    const base_ = await objects(helm, ['opta-base', base, '-n', 'opta-system', '-f', join(ROOT, 'chart-templates/opta-base/ci/aws-datadog-values.yaml')]);
    const clusterAgent = base_.find((o) => o.kind === 'Deployment' && o.metadata.name === 'opta-base-datadog-cluster-agent')!;
    expect(envOf(clusterAgent.spec.template.spec.containers[0])).toMatchObject({
      DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'false',
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'hostip',
    });
    const rendered = await objects(helm, ['app', service.archive, '-n', 'hello-world', '-f', ciValuesFile('datadog-admission')]);
    const template = podTemplateOf(rendered.find((o) => o.kind === 'Deployment')!)!;
    expect(template.metadata.labels?.['admission.datadoghq.com/enabled']).toBe('true');
    // The Cluster Agent injects DD_AGENT_HOST (hostip mode: status.hostIP); the chart does not set it.
    expect(envOf(template.spec.containers[0]).DD_AGENT_HOST).toBeUndefined();
    const skipped = csv(template.metadata.annotations?.['config.linkerd.io/skip-outbound-ports']);
    expect(skipped).toEqual(expect.arrayContaining([8125, 8126]));
  });
});
