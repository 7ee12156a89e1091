// Grafana's page chrome as far as an app page sees it: PluginPage (title,
// subtitle, breadcrumb parent, actions) and a side menu with the app's pages
// the user's actions allow, as Grafana's nav does with includes[].action.
import { css } from '@emotion/css';
import type { GrafanaTheme2, NavModelItem } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import type { HostBoot } from './boot-data';

function navItems(boot: HostBoot) {
  const rank = { Viewer: 0, Editor: 1, Admin: 2 } as const;
  return boot.app.includes
    .filter((i) => i.addToNav)
    .filter((i) => !i.action || boot.actions.includes(i.action))
    .filter((i) => !i.role || rank[boot.user.orgRole] >= rank[i.role as keyof typeof rank])
    .map((i) => ({ name: i.name, url: i.path.replace('%PLUGIN_ID%', boot.app.id) }));
}

export function SideMenu({ boot }: { boot: HostBoot }) {
  const s = useStyles2(styles);
  const { pathname } = useLocation();
  return (
    <nav className={s.menu} aria-label="App pages" data-testid="host-nav">
      <div className={s.appName}>{boot.app.name}</div>
      {navItems(boot).map((n) => (
        <Link key={n.url} to={n.url} className={pathname.startsWith(n.url) ? `${s.item} ${s.active}` : s.item}>
          {n.name}
        </Link>
      ))}
      <div className={s.user} data-testid="host-user">
        {boot.user.name} · {boot.user.orgRole}
      </div>
    </nav>
  );
}

export function makePluginPage(boot: HostBoot) {
  return function HostPluginPage({ children, pageNav, subTitle, actions }: PluginPageProps & { children?: ReactNode }) {
    const s = useStyles2(styles);
    const { pathname } = useLocation();
    const current = navItems(boot).find((n) => pathname.startsWith(n.url));
    const nav = pageNav as NavModelItem | undefined;
    const title = nav?.text ?? current?.name ?? boot.app.name;
    return (
      <div className={s.page}>
        {nav?.parentItem && (
          <div className={s.breadcrumb}>
            <Link to={nav.parentItem.url ?? '#'}>{nav.parentItem.text}</Link> › {title}
          </div>
        )}
        <div className={s.header}>
          <div>
            <h1 className={s.title}>{title}</h1>
            {(nav?.subTitle ?? subTitle) && <div className={s.subTitle}>{nav?.subTitle ?? subTitle}</div>}
          </div>
          {actions && <div>{actions}</div>}
        </div>
        {children}
      </div>
    );
  };
}

const styles = (theme: GrafanaTheme2) => ({
  menu: css({ width: 220, flexShrink: 0, borderRight: `1px solid ${theme.colors.border.weak}`, padding: theme.spacing(2, 0), background: theme.colors.background.primary, display: 'flex', flexDirection: 'column' }),
  appName: css({ padding: theme.spacing(0, 2, 2), fontWeight: theme.typography.fontWeightMedium, color: theme.colors.text.primary }),
  item: css({ padding: theme.spacing(1, 2), color: theme.colors.text.secondary, '&:hover': { background: theme.colors.action.hover, color: theme.colors.text.primary } }),
  active: css({ color: theme.colors.text.primary, borderLeft: `3px solid ${theme.colors.primary.main}`, background: theme.colors.action.selected }),
  user: css({ marginTop: 'auto', padding: theme.spacing(2), color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  page: css({ padding: theme.spacing(3, 4), flex: 1, minWidth: 0 }),
  breadcrumb: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(1), a: { color: theme.colors.text.link } }),
  header: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', marginBottom: theme.spacing(3) }),
  title: css({ margin: 0 }),
  subTitle: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
});
