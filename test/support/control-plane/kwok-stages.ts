// The kwok Stages (kwok.x-k8s.io/v1alpha1) the harness runs kwok with: the
// kwok binary plays no lifecycle unless given Stages (it exits with "no
// stages found"). These are written for these tests, after the Stage API of
// sigs.k8s.io/kwok v0.8 (spec.resourceRef, spec.selector.matchExpressions
// with jq-like keys, spec.delay, spec.next.statusTemplate as a Go template with
// kwok's Now and Quote and sprig's list functions, spec.next.delete):
//   - a fake Node turns Ready, with kwok's server as its kubelet endpoint
//     (InternalIP from --node-ip, port from --node-port: what kube-apiserver
//     dials for pods/log and metrics-server scrapes; as kwok's own
//     kustomize/stage/node/fast/node-initialize.yaml writes them);
//   - a scheduled pod turns Running and Ready after 300 ms (every container running);
//   - a Job's running pod succeeds after a second;
//   - a pod a test marks with annotation dcoc.test/fault: CrashLoopBackOff
//     crashes as a kubelet reports it (with a Warning event BackOff), and
//     runs again once the mark is removed;
//   - a pod whose image tag says "does-not-exist" (say fence:2026.09-does-not-exist)
//     stays Pending in ImagePullBackOff, as with an image no registry has;
//   - a pod being deleted (no kubelet to finish the graceful deletion) is removed.

/** The annotation a test puts on a pod to make kwok's "kubelet" crash it: value CrashLoopBackOff. */
export const FAULT_ANNOTATION = 'dcoc.test/fault';
/** In an image's tag, makes the image one no registry has. */
export const MISSING_IMAGE_TAG = 'does-not-exist';
type PodFault = 'CrashLoopBackOff' | 'ImagePullBackOff';

interface Expression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

const notDeleted: Expression = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const fault: Expression = { key: `.metadata.annotations["${FAULT_ANNOTATION}"]`, operator: 'Exists' };
const crashLoopMark: Expression = { key: fault.key, operator: 'In', values: ['CrashLoopBackOff'] };
const missingImage: Expression = { key: `.spec.containers.[].image | test(":[^:/]*${MISSING_IMAGE_TAG}[^:/]*$")`, operator: 'In', values: ['true'] };

function stage(name: string, kind: 'Node' | 'Pod', match: Expression[], next: { status?: string; delete?: boolean; event?: { type: 'Normal' | 'Warning'; reason: string; message: string } }, delayMs?: number): string {
  const expressions = match
    .map((e) => `      - key: '${e.key}'\n        operator: ${e.operator}${e.values ? `\n        values: [${e.values.map((v) => JSON.stringify(v)).join(', ')}]` : ''}`)
    .join('\n');
  const indent = (text: string) => text.trim().split('\n').map((l) => `      ${l}`).join('\n');
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef: { apiGroup: v1, kind: ${kind} }
  selector:
    matchExpressions:
${expressions}
${delayMs ? `  delay:\n    durationMilliseconds: ${delayMs}\n` : ''}  next:
${next.event ? `    event: { type: ${next.event.type}, reason: ${next.event.reason}, message: ${JSON.stringify(next.event.message)} }\n` : ''}${next.delete ? '    delete: true' : `    statusTemplate: |\n${indent(next.status!)}`}`;
}

/** Pod conditions: the four a kubelet sets, Ready and ContainersReady as given. */
function podConditions(ready: boolean, reason = ''): string {
  const one = (type: string, ok: boolean) => `
  - type: ${type}
    status: "${ok ? 'True' : 'False'}"${!ok && reason ? `\n    reason: ${reason}` : ''}
    lastTransitionTime: {{ $now | Quote }}`;
  return `conditions:${one('PodScheduled', true)}${one('Initialized', true)}${one('ContainersReady', ready)}${one('Ready', ready)}`;
}

/** One status per container, `state` being the YAML under `state:` (indented by the caller's template). */
function containerStatuses(fields: string, state: string): string {
  return `containerStatuses:
  {{ range .spec.containers }}
  - name: {{ .name | Quote }}
    image: {{ .image | Quote }}
${fields.trim().split('\n').map((l) => `    ${l}`).join('\n')}
    state:
${state.trim().split('\n').map((l) => `      ${l}`).join('\n')}
  {{ end }}`;
}

const RUNNING = `{{ $now := Now }}
phase: Running
startTime: {{ $now | Quote }}
${podConditions(true)}
${containerStatuses('ready: true\nstarted: true\nrestartCount: 0', 'running:\n  startedAt: {{ $now | Quote }}')}`;

const CRASHLOOP = `{{ $now := Now }}
phase: Running
${podConditions(false, 'ContainersNotReady')}
${containerStatuses(
  'ready: false\nstarted: false\nrestartCount: 5\nlastState:\n  terminated:\n    exitCode: 1\n    reason: Error\n    startedAt: {{ $now | Quote }}\n    finishedAt: {{ $now | Quote }}',
  'waiting:\n  reason: CrashLoopBackOff\n  message: back-off 2m40s restarting failed container',
)}`;

const IMAGE_PULL_BACKOFF = `{{ $now := Now }}
phase: Pending
${podConditions(false, 'ContainersNotReady')}
${containerStatuses('ready: false\nstarted: false\nrestartCount: 0', 'waiting:\n  reason: ImagePullBackOff\n  message: Back-off pulling image')}`;

const SUCCEEDED = `{{ $now := Now }}
phase: Succeeded
conditions:
  - type: Ready
    status: "False"
    reason: PodCompleted
    lastTransitionTime: {{ $now | Quote }}
  - type: ContainersReady
    status: "False"
    reason: PodCompleted
    lastTransitionTime: {{ $now | Quote }}
${containerStatuses(
  'ready: false\nstarted: false\nrestartCount: 0',
  'terminated:\n  exitCode: 0\n  reason: Completed\n  startedAt: {{ $now | Quote }}\n  finishedAt: {{ $now | Quote }}',
)}`;

const NODE_READY = `conditions:
  - type: Ready
    status: "True"
    reason: KubeletReady
    message: kwok plays this node's kubelet
    lastHeartbeatTime: {{ Now | Quote }}
    lastTransitionTime: {{ Now | Quote }}
phase: Running
{{ with NodeIP }}
addresses:
  - type: InternalIP
    address: {{ . | Quote }}
  - type: Hostname
    address: {{ NodeName | Quote }}
{{ end }}
{{ with NodePort }}
daemonEndpoints:
  kubeletEndpoint:
    Port: {{ . }}
{{ end }}`;

const pending: Expression = { key: '.status.phase', operator: 'In', values: ['Pending'] };
const running: Expression = { key: '.status.phase', operator: 'In', values: ['Running'] };
const waitingFor = (reason: PodFault): Expression => ({ key: '.status.containerStatuses.[].state.waiting.reason', operator: 'In', values: [reason] });

export const KWOK_STAGES = [
  stage('dcoc-node-ready', 'Node', [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] }], { status: NODE_READY }),
  // A container takes a moment to start, so a rollout passes through the
  // states kubectl rollout status reports instead of finishing in one step.
  stage('dcoc-pod-ready', 'Pod', [notDeleted, pending, { ...fault, operator: 'DoesNotExist' }, { ...missingImage, operator: 'NotIn' }], { status: RUNNING }, 300),
  stage('dcoc-job-pod-succeeded', 'Pod', [notDeleted, running, { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] }], { status: SUCCEEDED }, 1000),
  // With the Warning a kubelet records for it (pkg/kubelet/kuberuntime: reason BackOff).
  stage('dcoc-pod-crashloop', 'Pod', [notDeleted, crashLoopMark, { ...waitingFor('CrashLoopBackOff'), operator: 'NotIn' }], {
    status: CRASHLOOP,
    event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' },
  }),
  // The mark removed: the containers run again.
  stage('dcoc-pod-crashloop-over', 'Pod', [notDeleted, { ...fault, operator: 'DoesNotExist' }, waitingFor('CrashLoopBackOff')], { status: RUNNING }),
  stage('dcoc-pod-image-pull-backoff', 'Pod', [notDeleted, missingImage, { ...waitingFor('ImagePullBackOff'), operator: 'NotIn' }], { status: IMAGE_PULL_BACKOFF }, 300),
  stage('dcoc-pod-delete', 'Pod', [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }], { delete: true }),
].join('\n---\n');
