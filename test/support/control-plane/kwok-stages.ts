// The kwok Stages (kwok.x-k8s.io/v1alpha1) the harness runs kwok with: the
// kwok binary plays no lifecycle unless given Stages (it exits with "no
// stages found"). These are written for these tests, after the Stage API of
// sigs.k8s.io/kwok v0.8 (spec.resourceRef, spec.selector.matchExpressions
// with jq-like keys, spec.next.statusTemplate as a Go template with kwok's
// Now and Quote and sprig's list functions, spec.next.delete):
//   - a fake Node turns Ready;
//   - a scheduled pod turns Running and Ready at once (every container running);
//   - a Job's running pod succeeds after a second;
//   - a pod being deleted (no kubelet to finish the graceful deletion) is removed.
export const KWOK_STAGES = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: dcoc-node-ready
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
      - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
        operator: NotIn
        values: ['True']
  next:
    statusTemplate: |
      conditions:
        - type: Ready
          status: "True"
          reason: KubeletReady
          message: kwok plays this node's kubelet
          lastHeartbeatTime: {{ Now | Quote }}
          lastTransitionTime: {{ Now | Quote }}
      phase: Running
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: dcoc-pod-ready
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - key: .metadata.deletionTimestamp
        operator: DoesNotExist
      - key: .status.phase
        operator: In
        values: [Pending]
  # A container takes a moment to start, so a rollout passes through the
  # states kubectl rollout status reports instead of finishing in one step.
  delay:
    durationMilliseconds: 300
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      startTime: {{ $now | Quote }}
      conditions:
        {{ range list "PodScheduled" "Initialized" "ContainersReady" "Ready" }}
        - type: {{ . }}
          status: "True"
          lastTransitionTime: {{ $now | Quote }}
        {{ end }}
      containerStatuses:
        {{ range .spec.containers }}
        - name: {{ .name | Quote }}
          image: {{ .image | Quote }}
          ready: true
          started: true
          restartCount: 0
          state:
            running:
              startedAt: {{ $now | Quote }}
        {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: dcoc-job-pod-succeeded
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - key: .metadata.deletionTimestamp
        operator: DoesNotExist
      - key: .status.phase
        operator: In
        values: [Running]
      - key: '.metadata.ownerReferences.[].kind'
        operator: In
        values: [Job]
  delay:
    durationMilliseconds: 1000
  next:
    statusTemplate: |
      {{ $now := Now }}
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
      containerStatuses:
        {{ range .spec.containers }}
        - name: {{ .name | Quote }}
          image: {{ .image | Quote }}
          ready: false
          started: false
          restartCount: 0
          state:
            terminated:
              exitCode: 0
              reason: Completed
              startedAt: {{ $now | Quote }}
              finishedAt: {{ $now | Quote }}
        {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: dcoc-pod-delete
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - key: .metadata.deletionTimestamp
        operator: Exists
  next:
    delete: true
`;
