// Pure synthesis of the AWS IAM documents for opta-base's components: least-privilege permission policies (the actions
// the upstream projects document, scoped by resource and tag where AWS allows it) and IRSA trust policies bound to the
// exact ServiceAccount opta-base renders. Objects are built in one fixed key order, so the JSON is deterministic.
import type { IdentityComponent, Workload } from './workloads.js';

export interface AwsIamRequest {
  clusterName: string;
  accountId: string;
  /** OIDC issuer without the scheme: `oidc.eks.<region>.amazonaws.com/id/<ID>`. */
  oidcProvider: string;
  /** Route 53 hosted zone ids external-dns may change; empty: every zone of the account. */
  hostedZoneIds: string[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal?: { Federated: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface AwsRole {
  component: IdentityComponent;
  /** Suggested IAM role name: `<cluster>-<component>`. */
  roleName: string;
  /** `system:serviceaccount:<namespace>:<name>`. */
  subject: string;
  policy: PolicyDocument;
  trustPolicy: PolicyDocument;
}

const document = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * kubernetes/autoscaler cluster-autoscaler-1.35.0, cluster-autoscaler/cloudprovider/aws/README.md, "Full Cluster
 * Autoscaler Features Policy" (needed for ASG auto-discovery, which opta-base uses): these read actions take no
 * resource-level permissions; the README asks to restrict the two write actions by ASG or tag.
 */
const AUTOSCALER_READ_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeAutoScalingInstances',
  'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities',
  'ec2:DescribeImages',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:GetInstanceTypesFromInstanceRequirements',
  'eks:DescribeNodegroup',
];
const AUTOSCALER_WRITE_ACTIONS = ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'];

/** The chart's default autoDiscovery.tags (cluster-autoscaler-chart-9.59.0 values.yaml): the ASGs it may scale carry both. */
const autoscalerTags = (clusterName: string) => ['k8s.io/cluster-autoscaler/enabled', `k8s.io/cluster-autoscaler/${clusterName}`];

function autoscalerPolicy(req: AwsIamRequest): PolicyDocument {
  return document(
    { Sid: 'DescribeNodeGroups', Effect: 'Allow', Action: AUTOSCALER_READ_ACTIONS, Resource: '*' },
    {
      Sid: 'ScaleThisClustersNodeGroups',
      Effect: 'Allow',
      Action: AUTOSCALER_WRITE_ACTIONS,
      Resource: `arn:aws:autoscaling:*:${req.accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
      // Only Auto Scaling groups tagged for this cluster's auto-discovery (the tag must exist; its value is not read).
      Condition: { Null: sorted(Object.fromEntries(autoscalerTags(req.clusterName).map((t) => [`aws:ResourceTag/${t}`, 'false']))) },
    },
  );
}

/**
 * kubernetes-sigs/external-dns v0.21.0 docs/tutorials/aws.md "IAM Policy": record changes and reads on hosted zones,
 * ListHostedZones on `*` (it takes no resource); the tutorial suggests listing explicit zones instead of `*`.
 */
function externalDnsPolicy(req: AwsIamRequest): PolicyDocument {
  const zones = req.hostedZoneIds.length ? req.hostedZoneIds.map((id) => `arn:aws:route53:::hostedzone/${id}`) : ['arn:aws:route53:::hostedzone/*'];
  return document(
    {
      Sid: 'ChangeRecordsInHostedZones',
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      Resource: zones,
    },
    { Sid: 'ListHostedZones', Effect: 'Allow', Action: 'route53:ListHostedZones', Resource: '*' },
  );
}

/** IRSA (EKS user guide, "Configure a role trust policy"): only this ServiceAccount's tokens, audience sts.amazonaws.com. */
function trustPolicy(req: AwsIamRequest, subject: string): PolicyDocument {
  return document({
    Sid: 'AssumeFromServiceAccount',
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${req.accountId}:oidc-provider/${req.oidcProvider}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: sorted({ [`${req.oidcProvider}:aud`]: 'sts.amazonaws.com', [`${req.oidcProvider}:sub`]: subject }) },
  });
}

const POLICIES: Record<IdentityComponent, (req: AwsIamRequest) => PolicyDocument> = {
  'cluster-autoscaler': autoscalerPolicy,
  'external-dns': externalDnsPolicy,
};

export function awsRoles(workloads: Workload[], req: AwsIamRequest): AwsRole[] {
  return workloads.map((w) => {
    const subject = `system:serviceaccount:${w.namespace}:${w.serviceAccount}`;
    return { component: w.component, roleName: `${req.clusterName}-${w.component}`, subject, policy: POLICIES[w.component](req), trustPolicy: trustPolicy(req, subject) };
  });
}

/** The JSON text of a policy document, as written to files and printed. */
export const policyJson = (doc: PolicyDocument) => `${JSON.stringify(doc, null, 2)}\n`;
