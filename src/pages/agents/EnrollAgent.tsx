// Enrollment: makes a single-use token and shows it, with the install
// command, exactly once. The token is held only in this component's state:
// close the dialog or reload the page and it is gone.
import { Alert, Button, ClipboardButton, Field, Input, Modal, Stack } from '@grafana/ui';
import { useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useEnrollAgent } from '../../data/useAgents';
import { testIds } from '../../testIds';

const TTL_CHOICES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 168, label: '7 days' },
];

export function EnrollAgent() {
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState('');
  const [hours, setHours] = useState(1);
  const enroll = useEnrollAgent();
  const close = () => {
    setOpen(false);
    setDescription('');
    enroll.reset();
  };
  const result = enroll.data;
  return (
    <>
      <Button icon="plus" onClick={() => setOpen(true)} data-testid={testIds.agents.enroll}>
        Enroll agent
      </Button>
      <Modal title="Enroll an agent" isOpen={open} onDismiss={close}>
        {result ? (
          <>
            <Alert severity="warning" title="Copy this token now: it is shown only once">
              It expires {new Date(result.expiresAt).toLocaleString()} and works for one agent.
            </Alert>
            <Field label="Enrollment token">
              <Stack gap={1}>
                <Input readOnly value={result.token} data-testid={testIds.agents.token} />
                <ClipboardButton icon="copy" getText={() => result.token}>
                  Copy
                </ClipboardButton>
              </Stack>
            </Field>
            <Field label="Install command" description="Run it in the commons (with the CA certificate saved as dcoc-ca.pem).">
              <Stack gap={1} direction="column">
                <pre data-testid={testIds.agents.installCommand} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                  {result.installCommand}
                </pre>
                <Stack gap={1}>
                  <ClipboardButton icon="copy" variant="secondary" getText={() => result.installCommand}>
                    Copy install command
                  </ClipboardButton>
                  <ClipboardButton icon="copy" variant="secondary" getText={() => result.caCertificate}>
                    Copy CA certificate
                  </ClipboardButton>
                </Stack>
              </Stack>
            </Field>
            <Modal.ButtonRow>
              <Button onClick={close}>Done</Button>
            </Modal.ButtonRow>
          </>
        ) : (
          <>
            <Field label="Description" description="Where this agent will run, for the audit log.">
              <Input value={description} maxLength={200} onChange={(e) => setDescription(e.currentTarget.value)} placeholder="e.g. data.midrc.org production" />
            </Field>
            <Field label="Token valid for">
              <Stack gap={1}>
                {TTL_CHOICES.map((c) => (
                  <Button key={c.hours} size="sm" variant={hours === c.hours ? 'primary' : 'secondary'} onClick={() => setHours(c.hours)}>
                    {c.label}
                  </Button>
                ))}
              </Stack>
            </Field>
            {enroll.error && <ErrorAlert error={enroll.error} action="Enrollment" />}
            <Modal.ButtonRow>
              <Button variant="secondary" fill="outline" onClick={close}>
                Cancel
              </Button>
              <Button
                disabled={enroll.isPending}
                onClick={() => enroll.mutate({ ttlSeconds: hours * 3600, ...(description.trim() ? { description: description.trim() } : {}) })}
                data-testid={testIds.agents.enrollSubmit}
              >
                {enroll.isPending ? 'Creating token…' : 'Create enrollment token'}
              </Button>
            </Modal.ButtonRow>
          </>
        )}
      </Modal>
    </>
  );
}
