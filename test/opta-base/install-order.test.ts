// One `helm install` of opta-base on an empty cluster, for every provider and option scenario (ci/*-values.yaml):
// every object's kind is built in or served by a CRD Helm creates before it, every hook's namespace exists when the
// hook runs, and the pods of each namespace pass its Pod Security level after Linkerd's injection (with the
// scenario's control-plane values), can be evicted by cluster-autoscaler, and feed their HPAs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../generator/charts/opta-base/catalog.js';
import { admitObjects, builtinKinds, helmInstallProblems, linkerdControlPlaneFromValues, mergeValues, type Obj } from '../support/cluster/index.js';
import { HELMS, runHelm } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { HELM_FLOOR_MESSAGE, rendersOptaBase } from './helm-floor.js';

const CI = join(ROOT, 'chart-templates', 'opta-base', 'ci');
const SCENARIOS = readdirSync(CI).filter((f) => f.endsWith('-values.yaml')).map((f) => f.replace(/-values\.yaml$/, '')).sort();
const RELEASE_NAMESPACE = 'opta-system';
const helm = HELMS.find(rendersOptaBase)!;
const tmp = tempDir('opta-base-install-');
let archive = '';
let controlPlaneDefaults: Obj = {};
beforeAll(async () => {
  archive = join(tmp.dir, 'opta-base.tgz');
  writeFileSync(archive, (await buildUmbrella()).archive);
  const catalog = await loadCatalog(ROOT);
  controlPlaneDefaults = catalog.components.find((c) => c.name === 'linkerd-control-plane')!.values ?? {};
});
afterAll(() => tmp.cleanup());

/** Objects from the `crds/` directory of an enabled chart (or of its own subcharts: Envoy Gateway's are in
 * charts/crds/crds/): Helm installs them before anything else, and only those of the charts it renders. */
const FROM_CRDS_DIR = new WeakSet<object>();
const CRDS_DIR_SOURCE = /^opta-base(\/charts\/[^/]+)*\/crds\//;

async function render(scenario: string, extra: string[] = []): Promise<Obj[]> {
  const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', RELEASE_NAMESPACE, '--include-crds', '-f', join(CI, `${scenario}-values.yaml`), ...extra]);
  if (r.code !== 0) throw new Error(`helm ${helm.version} template ${scenario} failed:\n${r.stderr}`);
  // A file of several documents names its source once, before the first.
  let source = '';
  return r.stdout.split(/^---$/m).flatMap((doc) => {
    source = /^# Source: (\S+)/m.exec(doc)?.[1] ?? source;
    const o = yaml.load(doc) as Obj | undefined;
    if (!o) return [];
    if (CRDS_DIR_SOURCE.test(source)) FROM_CRDS_DIR.add(o);
    return [o];
  });
}

const installProblems = (objects: Obj[]) =>
  helmInstallProblems({
    crds: objects.filter((o) => FROM_CRDS_DIR.has(o)),
    manifests: objects.filter((o) => !FROM_CRDS_DIR.has(o)),
    releaseNamespace: RELEASE_NAMESPACE,
    builtinKinds: builtinKinds(),
  });

/** Every admission problem, per namespace, at the level the namespace enforces (the release namespace: privileged). */
function admissionProblems(objects: Obj[], scenario: string): string[] {
  const values = yaml.load(readFileSync(join(CI, `${scenario}-values.yaml`), 'utf8')) as Obj;
  const linkerd = linkerdControlPlaneFromValues(mergeValues(controlPlaneDefaults, values['linkerd-control-plane'] ?? {}));
  const byNamespace = new Map<string, Obj[]>();
  for (const o of objects) {
    const ns = o.metadata?.namespace ?? RELEASE_NAMESPACE;
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o]);
  }
  return [...byNamespace].flatMap(([name, list]) => {
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name)?.metadata ?? {};
    const level = ns.labels?.['pod-security.kubernetes.io/enforce'] ?? 'privileged';
    const admitted = admitObjects(list, {
      namespace: name,
      namespaceAnnotations: ns.annotations,
      namespaceLabels: ns.labels,
      linkerd,
      level: level === 'privileged' ? 'baseline' : level,
    });
    return admitted.problems.filter((p) => level !== 'privileged' || !p.includes('violates PodSecurity')).map((p) => `${name} (${level}): ${p}`);
  });
}

describe.each(SCENARIOS)(`ci/%s-values.yaml with helm ${helm.version}`, (scenario) => {
  let objects: Obj[] = [];
  beforeAll(async () => {
    objects = await render(scenario);
  });

  it('installs in one step: every kind known when Helm maps or creates it, every hook namespace there in time', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(installProblems(objects)).toEqual([]);
  });

  it("the umbrella's own objects of built-in kinds pass strict Kubernetes validation", () => {
    const own = objects.filter((o) => o.metadata?.labels?.['app.kubernetes.io/part-of'] === 'opta-base');
    expect(own.length).toBeGreaterThan(0);
    const builtIn = own.filter((o) => o.apiVersion !== 'cert-manager.io/v1');
    expect(builtIn.flatMap((o) => validateK8sObject(o))).toEqual([]);
  });

  it("passes each namespace's Pod Security level after Linkerd's injection, is evictable, and feeds its HPAs", () => {
    expect(admissionProblems(objects, scenario)).toEqual([]);
  });
});

describe('the install-order check catches what it must', () => {
  const stripHook = (o: Obj): Obj => {
    const annotations = { ...o.metadata.annotations };
    for (const k of Object.keys(annotations)) if (k.startsWith('helm.sh/hook')) delete annotations[k];
    return { ...o, metadata: { ...o.metadata, annotations } };
  };

  it('cert-manager objects as regular templates fail: their CRDs are templates of the same release', async () => {
    const objects = (await render('azure-cert-manager')).map((o) => (o.apiVersion === 'cert-manager.io/v1' ? stripHook(o) : o));
    expect(installProblems(objects)).toEqual([
      expect.stringMatching(/^unable to build kubernetes objects from release manifest: .*no matches for kind "(Certificate|Issuer)" in version "cert-manager.io\/v1"/),
      expect.stringMatching(/^unable to build kubernetes objects from release manifest: .*no matches for kind "(Certificate|Issuer)" in version "cert-manager.io\/v1"/),
    ]);
  });

  it("regular Namespace objects come too late for ingress-nginx's pre-install hooks", async () => {
    const objects = (await render('aws')).map((o) => (o.kind === 'Namespace' ? stripHook(o) : o));
    expect(installProblems(objects)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pre-install hook \(weight 0\) ServiceAccount\/ingress-nginx-admission: namespaces "ingress-nginx" not found$/)]),
    );
  });

  it("a sibling chart's object of a kind whose CRD another chart of the release installs is reported (ingress-nginx's cert-manager mode)", async () => {
    const objects = await render('azure-cert-manager', ['--set', 'ingress-nginx-azure.controller.admissionWebhooks.certManager.enabled=true']);
    expect(installProblems(objects)).toEqual([
      expect.stringMatching(/^unable to build kubernetes objects from release manifest: .*"ingress-nginx-self-signed-issuer".*no matches for kind "Issuer" in version "cert-manager.io\/v1"/),
    ]);
  });

  it('a kind no CRD of the release serves (PodMonitor without the Prometheus operator) is reported', async () => {
    const objects = await render('aws', ['--set', 'linkerd-control-plane.podMonitor.enabled=true']);
    expect(installProblems(objects)).toEqual([expect.stringMatching(/no matches for kind "PodMonitor" in version "monitoring.coreos.com\/v1"/)]);
  });

  it('proxy-init mode in a restricted namespace is refused by Pod Security (why its namespaces are privileged)', async () => {
    const objects = (await render('aws-proxy-init')).map((o) =>
      o.kind === 'Namespace' ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'pod-security.kubernetes.io/enforce': 'restricted' } } } : o,
    );
    expect(admissionProblems(objects, 'aws-proxy-init')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ingress-nginx \(restricted\): Deployment\/ingress-nginx\S*: violates PodSecurity .*linkerd-init/)]),
    );
  });
});

describe('Helm 3.18.0', () => {
  const old = HELMS.find((h) => !rendersOptaBase(h));
  it.runIf(old)('refuses every scenario with one message naming 3.18.1 as the floor (template and lint)', async () => {
    for (const scenario of SCENARIOS) {
      const values = join(CI, `${scenario}-values.yaml`);
      const template = await runHelm(old!, ['template', 'opta-base', archive, '-n', RELEASE_NAMESPACE, '-f', values]);
      expect(template.code, scenario).not.toBe(0);
      expect(template.stderr, scenario).toContain(HELM_FLOOR_MESSAGE);
      expect(template.stderr.split('Error:').length, scenario).toBe(2);
      // Helm 3's lint reports a template `fail` as [INFO] and passes; the message is still the first thing it says.
      const lint = await runHelm(old!, ['lint', '--strict', archive, '-f', values]);
      expect(lint.stdout + lint.stderr, scenario).toContain(HELM_FLOOR_MESSAGE);
    }
  });
});
