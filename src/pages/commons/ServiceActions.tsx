// Restart and scale of one service, each behind a confirmation that names
// the commons and the service. Rendered only for users who may operate.
import { Button, ConfirmModal, Field, Input, Modal, Stack } from '@grafana/ui';
import { useState } from 'react';
import type { ServiceView } from '../../../contracts/api';
import { testIds } from '../../testIds';

export interface ServiceActionHandlers {
  onRestart: (service: string) => void;
  onScale: (service: string, replicas: number) => void;
  busy: boolean;
}

export function ServiceActions({ commonsName, service, handlers }: { commonsName: string; service: ServiceView; handlers: ServiceActionHandlers }) {
  const [confirmRestart, setConfirmRestart] = useState(false);
  const [scaling, setScaling] = useState(false);
  const [replicas, setReplicas] = useState(String(service.desiredReplicas));
  const parsed = Number(replicas);
  const valid = /^\d+$/.test(replicas) && parsed >= 0 && parsed <= 100;
  return (
    <Stack gap={1}>
      <Button size="sm" variant="secondary" icon="sync" disabled={handlers.busy} onClick={() => setConfirmRestart(true)} data-testid={testIds.commons.restart(service.name)}>
        Restart
      </Button>
      <Button size="sm" variant="secondary" icon="expand-arrows" disabled={handlers.busy} onClick={() => setScaling(true)} data-testid={testIds.commons.scale(service.name)}>
        Scale
      </Button>
      <ConfirmModal
        isOpen={confirmRestart}
        title={`Restart ${service.name}?`}
        body={`Restart ${service.name} in ${commonsName}? Its ${service.desiredReplicas} pods are replaced one at a time (a rolling restart).`}
        confirmText={`Restart ${service.name}`}
        onConfirm={() => {
          setConfirmRestart(false);
          handlers.onRestart(service.name);
        }}
        onDismiss={() => setConfirmRestart(false)}
      />
      <Modal title={`Scale ${service.name} in ${commonsName}`} isOpen={scaling} onDismiss={() => setScaling(false)}>
        <Field
          label="Replicas"
          description={`Now ${service.readyReplicas} ready of ${service.desiredReplicas} desired (0 to 100).${
            service.gitopsOwner ? ` ArgoCD (${service.gitopsOwner.replace(/^argocd:/, '')}) owns ${service.name}: the scale becomes a revision committed to GitOps, which ArgoCD applies.` : ''
          }`} invalid={!valid} error={valid ? undefined : 'A whole number from 0 to 100'}>
          <Input type="number" min={0} max={100} value={replicas} onChange={(e) => setReplicas(e.currentTarget.value)} data-testid={testIds.commons.scaleInput} />
        </Field>
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={() => setScaling(false)}>
            Cancel
          </Button>
          <Button
            disabled={!valid}
            data-testid={testIds.commons.confirmScale}
            onClick={() => {
              setScaling(false);
              handlers.onScale(service.name, parsed);
            }}
          >
            {`Scale ${service.name} in ${commonsName} to ${valid ? parsed : '…'}`}
          </Button>
        </Modal.ButtonRow>
      </Modal>
    </Stack>
  );
}
