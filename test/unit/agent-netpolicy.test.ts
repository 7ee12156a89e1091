// The DCOC agent under gen3-helm's network policies. With
// global.netPolicy.enabled the umbrella renders helm/gen3-network-policies;
// the facts below are the selectors and rules of its policies at
// uc-cdis/gen3-helm 42cc46bc (templates/allow_nothing_netpolicy.yaml,
// allowdns_netpolicy.yaml, auth_netpolicy.yaml, external_egress_netpolicy.yaml,
// gen3job_netpolicy.yaml, linklocal_netpolicy.yaml, nolimit_netpolicy.yaml,
// public_netpolicy.yaml, vpc_netpolicy.yaml; the global.dev-only ones left
// out) plus a service's own ingress policy as helm/common/templates/
// _netpolicy_templates.tpl renders it (common.ingress_netpolicy: pods
// `app: <chart>` accept only the apps of netPolicy.ingressApps). The agent
// needs egress to the API server and the control service, and ingress into
// the pods it probes; the pod of agent/deploy/deployment.yaml gets both, a pod
// without `app: gen3job` gets neither.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In'; values: string[] }[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  peers?: Peer[];
  ports?: number[];
}
interface Policy {
  name: string;
  podSelector: Selector;
  ingress?: Rule[];
  egress?: Rule[];
}

const NS = 'gen3';
const POLICIES: Policy[] = [
  { name: 'allow-nothing-netpolicy', podSelector: {}, ingress: [], egress: [] },
  { name: 'allowdns-netpolicy', podSelector: {}, egress: [{ peers: [{ namespaceSelector: {} }], ports: [53] }] },
  { name: 'auth-egress-netpolicy', podSelector: {}, egress: [{ peers: [{ podSelector: { matchLabels: { authprovider: 'yes' } } }] }] },
  { name: 'auth-ingress-netpolicy', podSelector: { matchLabels: { authprovider: 'yes' } }, ingress: [{ peers: [{ podSelector: {} }] }] },
  { name: 'external-egress-netpolicy', podSelector: { matchLabels: { internet: 'yes' } }, egress: [{ peers: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '172.16.0.0/12', '10.0.0.0/8'] } }] }] },
  { name: 'gen3job-netpolicy', podSelector: { matchLabels: { app: 'gen3job' } }, egress: [{}] },
  { name: 'gen3job-in-netpolicy', podSelector: {}, ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'gen3job' } } }] }] },
  { name: 'linklocal-netpolicy', podSelector: { matchLabels: { linklocal: 'yes' } }, egress: [{ peers: [{ ipBlock: { cidr: '169.254.0.0/16' } }] }] },
  { name: 'nolimit-netpolicy', podSelector: { matchLabels: { netnolimit: 'yes' } }, egress: [{}] },
  { name: 'public-ingress-to-netpolicy', podSelector: { matchLabels: { public: 'yes' } }, ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'revproxy' } } }, { podSelector: { matchLabels: { app: 'ambassador-gen3' } } }] }] },
  { name: 'public-egress-to-netpolicy', podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['revproxy', 'ambassador-gen3'] }] }, egress: [{ peers: [{ podSelector: { matchLabels: { public: 'yes' } } }] }] },
  { name: 'vpc-netpolicy', podSelector: { matchLabels: { netvpc: 'yes' } }, egress: [{ peers: [{ ipBlock: { cidr: '172.0.0.0/8' } }] }] },
  // common.ingress_netpolicy for indexd (helm/indexd/values.yaml netPolicy.ingressApps).
  { name: 'indexd-ingress-netpolicy', podSelector: { matchLabels: { app: 'indexd' } }, ingress: [{ peers: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['fence', 'presigned-url-fence', 'fenceshib', 'peregrine', 'sheepdog', 'ssjdispatcherjob', 'metadata', 'mariner', 'mariner-engine'] }] } }] }] },
];

const selects = (s: Selector, labels: Labels) =>
  Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && (s.matchExpressions ?? []).every((e) => e.values.includes(labels[e.key]));

function inCidr(ip: string, cidr: string): boolean {
  const n = (a: string) => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}

/** A pod (labels, in namespace NS) or an address outside the cluster's pods. */
type End = { pod: Labels; ns?: string } | { ip: string };

function peerMatches(p: Peer, other: End): boolean {
  if ('ip' in other) return !!p.ipBlock && inCidr(other.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  if (p.ipBlock) return false;
  const nsOk = p.namespaceSelector ? true : (other.ns ?? NS) === NS;
  return nsOk && (!p.podSelector || selects(p.podSelector, other.pod));
}

/** NetworkPolicy semantics: allowed unless a policy selects the pod for that direction, then only what one of them allows. */
function allowed(pod: Labels, direction: 'ingress' | 'egress', other: End, port: number): boolean {
  const mine = POLICIES.filter((p) => p[direction] !== undefined && selects(p.podSelector, pod));
  if (!mine.length) return true;
  return mine.some((p) => p[direction]!.some((r) => (!r.ports || r.ports.includes(port)) && (!r.peers || r.peers.some((peer) => peerMatches(peer, other)))));
}

const agentPodLabels = (): Labels => {
  const dep = parseAllDocuments(readFileSync('agent/deploy/deployment.yaml', 'utf8'))[0].toJS() as { spec: { template: { metadata: { labels: Labels } }; selector: { matchLabels: Labels } } };
  return dep.spec.template.metadata.labels;
};

describe("the DCOC agent under gen3-helm's network policies", () => {
  const apiServer = { ip: '10.100.0.1' }; // an EKS/kubeadm Service ClusterIP of kubernetes.default
  const control = { ip: '34.120.10.5' }; // the control service, outside the cluster
  const indexd = { pod: { app: 'indexd' } };
  const fence = { pod: { app: 'fence', authprovider: 'yes' } };

  it('the pod of agent/deploy/deployment.yaml reaches the API server, the control service and every service it probes', () => {
    const agent = agentPodLabels();
    assert.equal(agent.app, 'gen3job');
    assert.ok(allowed(agent, 'egress', apiServer, 443), 'API server');
    assert.ok(allowed(agent, 'egress', control, 8471), 'control service');
    assert.ok(allowed(agent, 'egress', indexd, 80) && allowed(indexd.pod, 'ingress', { pod: agent }, 80), 'indexd health');
    assert.ok(allowed(agent, 'egress', fence, 80) && allowed(fence.pod, 'ingress', { pod: agent }, 80), 'fence health');
  });

  it('a pod without the label is cut off from all three (what global.netPolicy.enabled did to the agent before)', () => {
    const old = { 'app.kubernetes.io/name': 'dcoc-agent' };
    assert.equal(allowed(old, 'egress', apiServer, 443), false);
    assert.equal(allowed(old, 'egress', control, 8471), false);
    assert.equal(allowed(indexd.pod, 'ingress', { pod: old }, 80), false);
    // DNS stays open to every pod.
    assert.ok(allowed(old, 'egress', { pod: { 'k8s-app': 'kube-dns' }, ns: 'kube-system' }, 53));
  });

  it('the label selects nothing of the agent: its Deployment selects its pods by app.kubernetes.io/name', () => {
    const dep = parseAllDocuments(readFileSync('agent/deploy/deployment.yaml', 'utf8'))[0].toJS() as { spec: { selector: { matchLabels: Labels } } };
    assert.deepEqual(dep.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'dcoc-agent' });
  });
});
