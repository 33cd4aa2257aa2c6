// The edge parts of the `values base` file (pure): TLS for ingress-nginx, the ACME ClusterIssuer, and the Gateway API
// edge instead of ingress-nginx, with the checks of their flags.
import { UserError } from '../../errors.js';
import type { Catalog, Values } from './catalog.js';
import { keyFor, mergeValues, setSwitch, type UmbrellaDependency } from './model.js';
import { SECRET_NAME } from './names.js';
import type { BaseValuesRequest } from './values-request.js';

/** The edge unless --edge names another: ingress-nginx, the seed's ingress. */
export const DEFAULT_EDGE = 'ingress-nginx';

/** A component's section in the values file, created on first use; the flag names the caller in errors. */
export type SectionOf = (flag: string) => Values;

/** The Gateway API edge --edge names: a catalog component with a `gateway`, on this provider. */
export function gatewayEdge(catalog: Catalog, deps: UmbrellaDependency[], req: BaseValuesRequest, edge: string): UmbrellaDependency {
  const edges = [DEFAULT_EDGE, ...catalog.components.filter((c) => c.gateway).map((c) => c.name)];
  const dep = deps.find((d) => d.component.name === edge && d.component.gateway && d.providers.includes(req.provider));
  if (!dep) throw new UserError(`--edge: "${edge}" is not one of ${edges.join(', ')} on ${req.provider}`);
  return dep;
}

/**
 * The Gateway API edge instead of ingress-nginx: the edge's component on, ingress-nginx off, and linkerd-crds no longer
 * installing the Gateway API CRDs (the edge's chart owns them: the catalog's conflictsWith). TLS: --tls-secret becomes
 * the HTTPS listener's certificate. --tls-cert-arn is refused: the NLB would hand Envoy plain HTTP on 443 with no
 * X-Forwarded-Proto, so redirects and services would take every request for plain HTTP (not solved yet).
 */
export function gatewayValues(values: Values, req: BaseValuesRequest, gateway: UmbrellaDependency, deps: UmbrellaDependency[]): void {
  if (req.tlsCertArn !== undefined) {
    throw new UserError(`--tls-cert-arn: not supported with --edge ${gateway.component.name} yet (TLS terminated at the NLB reaches Envoy as plain HTTP); use --tls-secret or --acme-email`);
  }
  setSwitch(values, gateway.key, true);
  const nginx = keyFor(deps, 'ingress-nginx', req.provider);
  if (nginx) setSwitch(values, nginx, false);
  const [owner, ...path] = (gateway.component.conflictsWith ?? '').split('.');
  const ownerKey = owner ? keyFor(deps, owner, req.provider) : undefined;
  if (ownerKey && path.length) {
    const off = path.reduceRight<unknown>((inner, k) => ({ [k]: inner }), false) as Values;
    values[ownerKey] = mergeValues((values[ownerKey] as Values) ?? {}, off);
  }
  if (req.tlsSecret !== undefined) values.gateway = { tlsSecret: req.tlsSecret };
}

const AWS = 'service.beta.kubernetes.io/aws-load-balancer-';
/** AWS's recommended TLS listener policy: TLS 1.3 and 1.2 only (Opta's choice too). */
const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * TLS at the edge. With an ACM certificate the NLB terminates TLS on the `https` port and opens a new TLS connection
 * to the controller's https port (backend protocol ssl; the NLB does not check the controller's certificate). nginx
 * thus still sees which port a request came in on, so `force-ssl-redirect` sends plain-HTTP requests to https and
 * cannot loop, and services get `X-Forwarded-Proto: https`. Routing the https port to nginx's http port instead
 * would make every request look like plain HTTP to nginx (an L4 NLB adds no X-Forwarded-Proto), and the redirect
 * would loop (ingress-nginx controller-v1.15.1 rootfs/etc/nginx/lua/lua_ingress.lua redirect_to_https). Same mechanism
 * as Opta (run-x/opta modules/aws_k8s_base/tf_module/ingress_nginx.tf); annotations read by cloud-provider-aws.
 */
export function edgeTlsValues(req: BaseValuesRequest, ingress: SectionOf): void {
  if (req.tlsCertArn !== undefined) {
    if (req.provider !== 'aws') throw new UserError(`--tls-cert-arn: an ACM certificate terminates TLS at AWS's NLB only; on ${req.provider} use --tls-secret or --acme-email`);
    const section = ingress('--tls-cert-arn');
    Object.assign(section, mergeValues(section, {
      controller: {
        service: {
          annotations: {
            [`${AWS}ssl-cert`]: req.tlsCertArn,
            [`${AWS}ssl-ports`]: 'https',
            [`${AWS}ssl-negotiation-policy`]: TLS_POLICY,
            [`${AWS}backend-protocol`]: 'ssl',
          },
          targetPorts: { https: 'https' },
        },
        config: { 'force-ssl-redirect': 'true' },
      },
    }));
  }
  if (req.tlsSecret !== undefined) {
    const section = ingress('--tls-secret');
    Object.assign(section, mergeValues(section, { controller: { extraArgs: { 'default-ssl-certificate': req.tlsSecret } } }));
  }
}

/** cert-manager on, and the umbrella's ACME ClusterIssuer (templates/acme-cluster-issuer.yaml). */
export function acmeValues(values: Values, req: BaseValuesRequest, certManagerKey: string | undefined): void {
  if (req.acmeEmail === undefined) return;
  if (!certManagerKey) throw new UserError(`--acme-email: cert-manager is not part of the ${req.provider} stack`);
  setSwitch(values, certManagerKey, true);
  values.acme = { email: req.acmeEmail, server: req.acmeServer ?? 'production' };
}

// arn:<partition>:acm:<region>:<account>:certificate/<id>
const ACM_CERT_ARN = /^arn:aws[a-z-]*:acm:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// A mailbox as ACME servers accept it: local part, @, a DNS name with a dot.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/i;

export function checkEdgeFlags(req: BaseValuesRequest): void {
  if (req.tlsCertArn !== undefined) {
    const m = ACM_CERT_ARN.exec(req.tlsCertArn);
    if (!m) throw new UserError(`--tls-cert-arn: "${req.tlsCertArn}" is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`);
    // An NLB listener can only use a certificate of its own region.
    if (req.region && m[1] !== req.region) throw new UserError(`--tls-cert-arn: the certificate is in ${m[1]}, but the cluster's NLB is in --region ${req.region}`);
    for (const [flag, set] of [['--tls-secret', req.tlsSecret], ['--acme-email', req.acmeEmail]] as const) {
      // Clients only ever see the NLB's ACM certificate; nginx's certificates would be seen by the NLB alone.
      if (set !== undefined) throw new UserError(`${flag}: not used with --tls-cert-arn (the NLB terminates TLS with the ACM certificate, so clients never see nginx's certificates)`);
    }
  }
  if (req.tlsSecret !== undefined) {
    const [namespace, name, ...rest] = req.tlsSecret.split('/');
    if (rest.length || !name || !DNS_LABEL.test(namespace) || !SECRET_NAME.test(name)) {
      throw new UserError(`--tls-secret: "${req.tlsSecret}" is not NAMESPACE/NAME of a Secret (e.g. ingress-nginx/default-tls)`);
    }
  }
  if (req.acmeServer !== undefined && req.acmeEmail === undefined) throw new UserError('--acme-server: only used with --acme-email (which turns ACME certificates on)');
  if (req.acmeEmail !== undefined && (req.acmeEmail.length > 254 || !EMAIL.test(req.acmeEmail))) {
    throw new UserError(`--acme-email: "${req.acmeEmail}" is not an e-mail address (Let's Encrypt sends expiry notices there)`);
  }
}
