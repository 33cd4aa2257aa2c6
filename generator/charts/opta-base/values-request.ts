// What `values base` (and `convert`) ask of an opta-base values file: the request values-file.ts and edge-values.ts
// turn into values.
import type { Values } from './catalog.js';

export interface BaseValuesRequest {
  provider: string;
  clusterName: string;
  region?: string;
  domains: string[];
  externalDnsPolicy: 'upsert-only' | 'sync';
  autoscalerRoleArn?: string;
  externalDnsRoleArn?: string;
  datadogApiKeySecret?: string;
  datadogSite?: string;
  /** Datadog's `env` tag; default: the cluster name. */
  datadogEnv?: string;
  /** AWS: an ACM certificate the NLB terminates TLS with. */
  tlsCertArn?: string;
  /** `NAMESPACE/NAME` of a kubernetes.io/tls Secret: ingress-nginx's default certificate. */
  tlsSecret?: string;
  /** Turns on cert-manager and an ACME ClusterIssuer (HTTP-01 through the ingress class). */
  acmeEmail?: string;
  acmeServer?: 'production' | 'staging';
  /** Linkerd's trust domain; the issuer certificate is made for it, so the control plane must be told. */
  trustDomain: string;
  /** Write the catalog's `ha` profile into the values file. */
  ha?: boolean;
  /** Linkerd's traffic redirection: `cni` (the catalog's default) or `proxy-init` (linkerd-init, no CNI plugin). */
  linkerdMode?: LinkerdMode;
  /** Values merged last into a component's section, by component name (`opta-charts convert`: Opta's nginx_config, linkerd_values, ...). */
  componentValues?: Record<string, Values>;
  /** The edge: `ingress-nginx` (default) or a catalog component with a `gateway` (envoy-gateway). */
  edge?: string;
}

export type IssuerMode = 'cert-manager' | 'static';
export type LinkerdMode = 'cni' | 'proxy-init';
export const LINKERD_MODES: LinkerdMode[] = ['cni', 'proxy-init'];
export const ISSUER_MODES: IssuerMode[] = ['cert-manager', 'static'];
