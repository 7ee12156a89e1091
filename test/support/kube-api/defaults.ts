// Defaulting and validation the apiserver applies on every write, for the
// fields agent code reads back (replicas, strategy, job selectors ...) and the
// errors it should be ready for (immutable selector, negative replicas).
import { errors } from './errors';
import type { ResourceType } from './resources';
import { labelSelectorMatcher } from './selectors';
import { isObject, type Deployment, type Job, type KubeObject, type PodTemplate } from './types';
import { deepEqual } from './util';

function defaultPodSpec(spec: PodTemplate['spec'] | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) {
    const tag = c.image?.includes('@') ? 'digest' : (c.image?.split('/').pop()?.split(':')[1] ?? 'latest');
    c.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
  }
}

export function applyDefaults(t: ResourceType, obj: KubeObject): void {
  switch (t.storage) {
    case 'deployments': {
      const d = obj as Deployment;
      if (!isObject(d.spec)) return;
      d.spec.replicas ??= 1;
      d.spec.strategy ??= { type: 'RollingUpdate' };
      d.spec.strategy.type ??= 'RollingUpdate';
      if (d.spec.strategy.type === 'RollingUpdate') {
        d.spec.strategy.rollingUpdate ??= {};
        d.spec.strategy.rollingUpdate.maxSurge ??= '25%';
        d.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      }
      d.spec.revisionHistoryLimit ??= 10;
      d.spec.progressDeadlineSeconds ??= 600;
      defaultPodSpec(d.spec.template?.spec);
      return;
    }
    case 'replicasets': {
      const spec = obj.spec as { replicas?: number; template?: PodTemplate } | undefined;
      if (!isObject(spec)) return;
      spec.replicas ??= 1;
      defaultPodSpec(spec.template?.spec);
      return;
    }
    case 'pods':
      defaultPodSpec(obj.spec as PodTemplate['spec']);
      return;
    case 'jobs': {
      const j = obj as Job;
      if (!isObject(j.spec)) return;
      j.spec.parallelism ??= 1;
      j.spec.completions ??= 1;
      j.spec.backoffLimit ??= 6;
      j.spec.completionMode ??= 'NonIndexed';
      j.spec.suspend ??= false;
      // Without manualSelector the apiserver generates the selector and pod labels from the uid.
      const uid = obj.metadata.uid;
      if (uid && !j.spec.manualSelector && !j.spec.selector) {
        j.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        const tm = (j.spec.template.metadata ??= {});
        tm.labels = {
          ...tm.labels,
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': obj.metadata.name!,
          'controller-uid': uid,
          'job-name': obj.metadata.name!,
        };
      }
      defaultPodSpec(j.spec.template?.spec);
      return;
    }
    case 'cronjobs': {
      const spec = obj.spec as Record<string, unknown> | undefined;
      if (!isObject(spec)) return;
      spec.concurrencyPolicy ??= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      return;
    }
    case 'secrets': {
      obj.type ??= 'Opaque';
      // stringData is write-only: folded into data (base64) and never stored.
      if (isObject(obj.stringData)) {
        const data = (isObject(obj.data) ? obj.data : {}) as Record<string, string>;
        for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
        obj.data = data;
      }
      delete obj.stringData;
      return;
    }
    case 'namespaces':
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name! };
      obj.spec ??= { finalizers: ['kubernetes'] };
      obj.status ??= { phase: 'Active' };
      return;
  }
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws the apiserver's 422 Invalid for the checks listed above. */
export function validate(t: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const name = obj.metadata.name ?? '';
  const fail = (field: string, message: string, type?: string) => {
    throw errors.invalid(t.kind, t.group, name, [{ field, message, type }]);
  };
  if (!name) fail('metadata.name', 'Required value: name or generateName is required', 'FieldValueRequired');
  if (name.length > 253 || !NAME_RE.test(name))
    fail(
      'metadata.name',
      `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );

  if (t.storage === 'deployments' || t.storage === 'replicasets') {
    const spec = obj.spec as Deployment['spec'] | undefined;
    if (!spec?.selector) fail('spec.selector', 'Required value', 'FieldValueRequired');
    const replicas = spec!.replicas ?? 1;
    if (replicas < 0) fail('spec.replicas', `Invalid value: ${replicas}: must be greater than or equal to 0`);
    const labels = spec!.template?.metadata?.labels;
    if (!labelSelectorMatcher(spec!.selector)(labels))
      fail('spec.template.metadata.labels', `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``);
    if ((spec!.template?.spec?.containers ?? []).length === 0)
      fail('spec.template.spec.containers', 'Required value', 'FieldValueRequired');
    if (old && !deepEqual((old.spec as Deployment['spec']).selector, spec!.selector))
      fail('spec.selector', `Invalid value: ${JSON.stringify(spec!.selector)}: field is immutable`);
  }
  if (t.storage === 'pods' && ((obj.spec as PodTemplate['spec'])?.containers ?? []).length === 0)
    fail('spec.containers', 'Required value', 'FieldValueRequired');
  if (t.storage === 'jobs' && old) {
    const a = old.spec as Job['spec'];
    const b = obj.spec as Job['spec'];
    if (!deepEqual(a.selector, b.selector)) fail('spec.selector', 'Invalid value: field is immutable');
    if (!deepEqual(a.template, b.template)) fail('spec.template', 'Invalid value: field is immutable');
  }
  if ((t.storage === 'configmaps' || t.storage === 'secrets') && old?.immutable === true) {
    if (!deepEqual(old.data, obj.data) || !deepEqual(old.binaryData, obj.binaryData))
      fail('data', 'Forbidden: field is immutable when `immutable` is set', 'FieldValueForbidden');
    if (obj.immutable !== true) fail('immutable', 'Forbidden: field is immutable when `immutable` is set', 'FieldValueForbidden');
  }
}
