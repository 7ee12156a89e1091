// What can be done to the saved group the fleet is filtered by: roll a
// release out to it, schedule maintenance on it (both open their page's form
// preset to the group), restart a service on its commons shown. Each is
// offered only to a caller who may do it: rollouts and windows need a global
// role, a restart an operator's role on the commons (global or a team's).
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Icon, Stack, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { CommonsSummary } from '../../../contracts/api';
import { newForGroupUrl, ROUTES } from '../../constants';
import { useAccess } from '../../data/useAccess';
import { allows, allowsOn, useWhoami } from '../../data/useWhoami';
import { testIds } from '../../testIds';
import { GroupRestart } from './GroupRestart';

export function GroupActions({ group, commons }: { group: string; commons: CommonsSummary[] }) {
  const s = useStyles2(styles);
  const me = useWhoami();
  const access = useAccess(me.data);
  const [restarting, setRestarting] = useState(false);
  const canRollout = allows(me.data, 'deployments:write');
  const canWindow = allows(me.data, 'windows:write');
  const mayRestart = (id: string) => allowsOn(me.data, access.data, 'services:operate', id);
  const canRestart = commons.some((c) => mayRestart(c.id));
  if (!canRollout && !canWindow && !canRestart) return null;
  return (
    <Stack gap={2} alignItems="center" wrap="wrap">
      {canRollout && (
        <Link className={s.link} to={newForGroupUrl(ROUTES.rollouts, group)} data-testid={testIds.fleet.groupRollout}>
          <Icon name="arrow-right" /> Roll out to this group
        </Link>
      )}
      {canWindow && (
        <Link className={s.link} to={newForGroupUrl(ROUTES.maintenance, group)} data-testid={testIds.fleet.groupMaintenance}>
          <Icon name="calendar-alt" /> Schedule maintenance for this group
        </Link>
      )}
      {canRestart && (
        <Button size="sm" variant="secondary" icon="sync" onClick={() => setRestarting(true)} data-testid={testIds.fleet.groupRestart}>
          Restart a service on the group
        </Button>
      )}
      {restarting && <GroupRestart group={group} commons={commons} mayRestart={mayRestart} onDismiss={() => setRestarting(false)} />}
    </Stack>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  link: css({ color: theme.colors.text.link, fontWeight: theme.typography.fontWeightMedium, '&:hover': { textDecoration: 'underline' } }),
});
