// All provisioning parses and is internally consistent:
// every data source UID a dashboard or rule uses is provisioned, every rule has
// the required fields, every dashboard UID is unique.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderCommonsDashboard } from '../../backend/dashboards/generator';
import { GRAFANA_UID_MAX, commonsDashboardUid } from '../../contracts/dashboards';
import { commonsIdFor } from '../../backend/gateway/slug';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import {
  type Dashboard,
  type Json,
  PROVISIONING,
  allPanels,
  durationSeconds,
  grafanaRuleGroups,
  listFiles,
  promRules,
  readJson,
  readYaml,
  shippedDashboards,
  thresholdOp,
} from './support';

interface DataSource {
  name: string;
  uid: string;
  type: string;
  access?: string;
  url?: string;
  jsonData?: Json;
  secureJsonData?: Record<string, string>;
}

const files = listFiles(PROVISIONING);
const yamlOf = <T = Json>(rel: string) => readYaml<T>(join(PROVISIONING, rel));
// Grafana reads only *.yaml/*.yml (pkg/services/provisioning/datasources/config_reader.go): *.yaml.disabled is an optional file, off.
const datasources = files.filter((f) => f.startsWith('datasources/') && f.endsWith('.yaml')).flatMap((f) => yamlOf<{ datasources: DataSource[] }>(f).datasources);
const dsByUid = new Map(datasources.map((d) => [d.uid, d]));
const dashboards = shippedDashboards();
const BUILTIN_DS = new Set(['-- Grafana --']);

/** Every data source reference in a dashboard, with where it is. */
function dashboardDatasourceRefs(file: string, d: Dashboard): { where: string; ref: { type?: string; uid?: string } }[] {
  const out: { where: string; ref: { type?: string; uid?: string } }[] = [];
  for (const p of allPanels(d)) {
    if (p.datasource) out.push({ where: `${file} panel ${p.id}`, ref: p.datasource });
    for (const t of p.targets ?? []) if (t.datasource) out.push({ where: `${file} panel ${p.id} target ${String(t.refId)}`, ref: t.datasource as { uid?: string } });
  }
  for (const v of d.templating?.list ?? []) if (v.datasource) out.push({ where: `${file} variable ${String(v.name)}`, ref: v.datasource as { uid?: string } });
  for (const a of (d.annotations as { list?: Json[] } | undefined)?.list ?? []) {
    if (a.datasource) out.push({ where: `${file} annotation ${String(a.name)}`, ref: a.datasource as { uid?: string } });
  }
  return out;
}

describe('provisioning parses and is internally consistent', () => {
  it('every provisioning file is YAML with apiVersion 1 in the directory Grafana reads it from', () => {
    const grafanaFiles = files.filter((f) => !f.startsWith('prometheus/'));
    assert.deepEqual(
      [...new Set(grafanaFiles.map((f) => f.split('/')[0]))].sort(),
      ['alerting', 'dashboards', 'datasources', 'plugins'],
      'Grafana provisioning folders',
    );
    for (const f of grafanaFiles) {
      assert.match(f, /^[a-z]+\/[a-z0-9-]+\.yaml(\.disabled)?$/, `${f}: Grafana reads *.yaml files (*.yaml.disabled: optional, off until renamed)`);
      assert.equal(yamlOf(f).apiVersion, 1, `${f}: apiVersion`);
    }
    // The Prometheus files parse too (promtool checks them in prometheus-rules.test.ts).
    for (const f of files.filter((x) => x.startsWith('prometheus/'))) assert.ok(yamlOf(f), f);
  });

  it('the app is provisioned enabled, with controlUrl, roleMapping and the shared secret from the environment', () => {
    const apps = files.filter((f) => f.startsWith('plugins/')).flatMap((f) => yamlOf<{ apps: Json[] }>(f).apps);
    assert.equal(apps.length, 1);
    const app = apps[0];
    assert.equal(app.type, 'gen3-dcoc-app');
    assert.equal(app.org_id, 1);
    assert.equal(app.disabled, false);
    assert.deepEqual(app.jsonData, { controlUrl: '$DCOC_CONTROL_URL', roleMapping: { Viewer: 'viewer', Editor: 'operator', Admin: 'admin' } });
    assert.deepEqual(app.secureJsonData, { controlSecret: '$DCOC_PLUGIN_SECRET' });
  });

  it('the data sources are Prometheus (uid prometheus) and DCOC (uid dcoc), each once', () => {
    assert.equal(new Set(datasources.map((d) => d.uid)).size, datasources.length, 'data source UIDs are unique');
    assert.equal(new Set(datasources.map((d) => d.name)).size, datasources.length, 'data source names are unique');
    const prom = dsByUid.get('prometheus');
    assert.equal(prom?.type, 'prometheus');
    assert.equal(prom?.url, '$DCOC_PROMETHEUS_URL');
    const dcoc = dsByUid.get('dcoc');
    assert.equal(dcoc?.type, 'gen3-dcoc-datasource');
    assert.equal(dcoc?.access, 'proxy');
    assert.deepEqual(dcoc?.jsonData, { controlUrl: '$DCOC_CONTROL_URL' });
    assert.deepEqual(dcoc?.secureJsonData, { controlSecret: '$DCOC_PLUGIN_SECRET' });
  });

  it('Loki is optional: a disabled file provisions it from DCOC_LOKI_URL once renamed; nothing Grafana reads names Loki', () => {
    const optional = files.filter((f) => f.endsWith('.yaml.disabled'));
    assert.deepEqual(optional, ['datasources/loki.yaml.disabled']);
    const loki = yamlOf<{ apiVersion: number; datasources: DataSource[] }>(optional[0]);
    assert.equal(loki.apiVersion, 1);
    assert.equal(loki.datasources.length, 1);
    assert.deepEqual([loki.datasources[0].uid, loki.datasources[0].type, loki.datasources[0].url], ['loki', 'loki', '$DCOC_LOKI_URL']);
    assert.ok(!datasources.some((d) => d.type === 'loki'), 'no Loki data source is on by default');
  });

  it('every data source a dashboard uses is provisioned, with the same type (or is a data source variable of that type)', () => {
    const refs = dashboards.flatMap(({ file, dashboard }) => dashboardDatasourceRefs(file, dashboard));
    assert.ok(refs.length > 40, `found only ${refs.length} data source references`);
    for (const { where, ref } of refs) {
      if (BUILTIN_DS.has(ref.uid ?? '')) continue;
      const variable = /^\$\{(\w+)\}$/.exec(ref.uid ?? '');
      if (variable) {
        // Any data source of that type the Grafana has (e.g. the observability chart's Loki).
        const d = dashboards.find((x) => where.startsWith(x.file))!.dashboard;
        const v = d.templating?.list.find((x) => x.name === variable[1]);
        assert.equal(v?.type, 'datasource', `${where}: ${ref.uid} is not a data source variable`);
        assert.equal(v?.query, ref.type, `${where}: ${ref.uid} lists ${String(v?.query)} data sources, not ${ref.type}`);
        continue;
      }
      const ds = dsByUid.get(ref.uid ?? '');
      assert.ok(ds, `${where}: data source uid ${ref.uid} is not provisioned`);
      assert.equal(ref.type, ds.type, `${where}: data source ${ref.uid} has type ${ds.type}`);
    }
    // Every panel that queries has a data source, and the DCOC panels use the data source's query types.
    const queryTypes = new Set(['fleet', 'services', 'agents', 'health', 'events', 'audit', 'commands']);
    for (const { file, dashboard } of dashboards) {
      for (const p of allPanels(dashboard)) {
        for (const t of p.targets ?? []) {
          assert.ok(t.datasource ?? p.datasource, `${file} panel ${p.id}: no data source`);
          if ((t.datasource as { uid: string }).uid === 'dcoc') assert.ok(queryTypes.has(String(t.queryType)), `${file} panel ${p.id}: DCOC queryType ${String(t.queryType)}`);
          else assert.ok(typeof t.expr === 'string' && t.expr.length > 0, `${file} panel ${p.id}: a Prometheus target needs expr`);
        }
      }
    }
  });

  it('every dashboard has a unique UID within Grafana\'s limit, unique panel ids, and the generated ones do not collide', () => {
    const template = dashboards.find((d) => d.dashboard.uid === 'dcoc-commons');
    assert.ok(template, 'the per-commons template dashboards/commons.json');
    const generated = DEMO_COMMONS.map((c) => {
      const id = commonsIdFor(c.hostname);
      return { id, file: `generated for ${c.hostname}`, dashboard: renderCommonsDashboard(template.dashboard, { id, hostname: c.hostname, name: c.name, environment: c.environment }) as Dashboard };
    });
    const all = [...dashboards, ...generated];
    const uids = all.map((d) => d.dashboard.uid);
    assert.equal(new Set(uids).size, uids.length, `dashboard UIDs must be unique: ${uids.join(', ')}`);
    for (const { file, dashboard } of all) {
      assert.match(dashboard.uid, /^[a-zA-Z0-9_-]+$/, `${file}: uid`);
      assert.ok(dashboard.uid.length <= GRAFANA_UID_MAX, `${file}: uid longer than ${GRAFANA_UID_MAX}`);
      assert.ok(dashboard.title, `${file}: title`);
      assert.equal(dashboard.id, null, `${file}: id must be null in provisioned JSON`);
      const ids = allPanels(dashboard).map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: panel ids must be unique`);
    }
    assert.deepEqual(
      dashboards.map((d) => d.dashboard.uid).sort(),
      ['dcoc-commons', 'dcoc-fleet', 'dcoc-runbooks'],
    );
    for (const g of generated) assert.equal(g.dashboard.uid, commonsDashboardUid(g.id));
    const titles = all.map((d) => d.dashboard.title);
    assert.equal(new Set(titles).size, titles.length, 'dashboard titles are unique');
  });

  it('the per-commons template has the commons variable, used by every Prometheus and DCOC query (Loki: its hostname)', () => {
    const t = dashboards.find((d) => d.dashboard.uid === 'dcoc-commons')!.dashboard;
    const v = t.templating?.list.find((x) => x.name === 'commons');
    assert.equal(v?.type, 'query');
    assert.equal((v?.datasource as { uid: string }).uid, 'prometheus');
    // Alloy (gen3-helm 42cc46bc helm/alloy/values.yaml, discovery.relabel "all_pods") maps every pod label onto the log
    // stream; gen3-helm's common.extraLabels gives every pod `hostname: <global.hostname>`, and selectorLabels `app: <chart>`.
    const h = t.templating?.list.find((x) => x.name === 'hostname');
    assert.match(String(h?.query), /^label_values\(dcoc_commons_info\{commons="\$commons"\}, hostname\)$/);
    let loki = 0;
    for (const p of allPanels(t)) {
      for (const q of p.targets ?? []) {
        const text = JSON.stringify(q);
        if ((q.datasource as { type?: string } | undefined)?.type === 'loki') {
          loki++;
          assert.match(String(q.expr), /\{app="revproxy", hostname="\$hostname"\}/, `template panel ${p.id} "${p.title}" does not select the commons' revproxy`);
        } else assert.match(text, /\$commons|\$\{commons\}/, `template panel ${p.id} "${p.title}" does not filter by $commons`);
      }
    }
    assert.equal(loki, 3, 'request rate, 5xx ratio and p95 from Loki');
    const row = t.panels.find((p) => p.panels?.some((x) => x.datasource?.type === 'loki'));
    assert.equal(row?.collapsed, true, 'the Loki row is collapsed: it needs a Loki the Grafana may not have');
  });

  it('the dashboard providers point at distinct folders, one keeping deletions for the generated dashboards', () => {
    const providers = files.filter((f) => f.startsWith('dashboards/')).flatMap((f) => yamlOf<{ providers: Json[] }>(f).providers);
    assert.equal(providers.length, 2);
    const byName = new Map(providers.map((p) => [p.name, p]));
    const shipped = byName.get('dcoc')!;
    const generated = byName.get('dcoc-commons')!;
    for (const p of [shipped, generated]) {
      assert.equal(p.type, 'file');
      assert.ok((p.options as { path?: string }).path?.startsWith('/'), `${String(p.name)}: absolute options.path`);
    }
    assert.notEqual((shipped.options as Json).path, (generated.options as Json).path);
    assert.notEqual(shipped.folderUid, generated.folderUid);
    assert.equal(generated.disableDeletion, false, 'removing a generated file must remove its dashboard');
  });

  // Grafana keeps folders and dashboards in one table (dashboard, is_folder) with one UID per org:
  // a folder whose UID a dashboard already has is refused ("Dashboard cannot be changed to a folder"), and the other way round.
  it('no folder shares a UID with a dashboard, shipped or generated', () => {
    const providers = files.filter((f) => f.startsWith('dashboards/')).flatMap((f) => yamlOf<{ providers: Json[] }>(f).providers);
    const folderUids = providers.map((p) => String(p.folderUid));
    assert.equal(new Set(folderUids).size, folderUids.length, `folder UIDs: ${folderUids.join(', ')}`);
    for (const uid of folderUids) {
      assert.ok(!dashboards.some((d) => d.dashboard.uid === uid), `folder UID ${uid} is also a shipped dashboard's UID`);
      for (const c of [...DEMO_COMMONS.map((x) => commonsIdFor(x.hostname)), 'a', 'x'.repeat(63)]) {
        assert.notEqual(commonsDashboardUid(c), uid, `folder UID ${uid} is the generated dashboard UID of commons ${c}`);
      }
      assert.doesNotMatch(uid, /^dcoc-[ch]-/, `folder UID ${uid} is in the generated dashboards' UID space`);
    }
  });

  describe('alert rules', () => {
    const groups = grafanaRuleGroups();
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ group: g, rule: r })));
    const prom = promRules().flatMap((g) => g.rules);
    const SERVICE_SCOPED = new Set(['DCOCServiceDown', 'DCOCServiceRestartLoop', 'DCOCRequestErrors']);
    const ENDPOINT_SCOPED = new Set(['DCOCExternalEndpointDown']);

    it('there are the ten DCOC rule kinds, with unique UIDs and titles, in groups with a folder and interval', () => {
      assert.deepEqual(rules.map((r) => r.rule.title).sort(), [
        'DCOCAgentSilent',
        'DCOCBackupStale',
        'DCOCCommandFailures',
        'DCOCCommonsDown',
        'DCOCExternalCertificateExpiring',
        'DCOCExternalCertificateInvalid',
        'DCOCExternalEndpointDown',
        'DCOCRequestErrors',
        'DCOCServiceDown',
        'DCOCServiceRestartLoop',
      ]);
      assert.equal(new Set(rules.map((r) => r.rule.uid)).size, rules.length);
      for (const g of groups) {
        assert.ok(g.name && g.folder, 'group name and folder');
        assert.ok(durationSeconds(g.interval) > 0, `${g.name}: interval`);
        assert.equal(g.orgId, 1);
      }
    });

    for (const { rule } of rules) {
      it(`${rule.title}: uid, condition, data with refIds, for, labels and annotations`, () => {
        assert.match(rule.uid, /^[a-zA-Z0-9_-]{1,40}$/, 'uid');
        assert.ok(rule.title, 'title');
        assert.ok(Array.isArray(rule.data) && rule.data.length > 0, 'data');
        const refIds = rule.data.map((d) => d.refId);
        assert.equal(new Set(refIds).size, refIds.length, 'refIds are unique');
        assert.ok(refIds.includes(rule.condition), `condition ${rule.condition} is one of the refIds`);
        for (const d of rule.data) {
          assert.equal(d.model.refId, d.refId, `${d.refId}: model.refId`);
          if (d.datasourceUid === '__expr__') {
            const expression = String(d.model.expression);
            assert.ok(refIds.includes(expression), `${d.refId}: expression refers to ${expression}`);
            assert.ok(['threshold', 'reduce', 'math'].includes(String(d.model.type)), `${d.refId}: expression type`);
          } else {
            const ds = dsByUid.get(d.datasourceUid);
            assert.ok(ds, `${d.refId}: data source ${d.datasourceUid} is not provisioned`);
            assert.equal((d.model.datasource as { type: string }).type, ds.type, `${d.refId}: model data source type`);
            assert.ok(d.relativeTimeRange && d.relativeTimeRange.from > d.relativeTimeRange.to, `${d.refId}: relativeTimeRange`);
            if (ds.type === 'prometheus') assert.equal(d.model.instant, true, `${d.refId}: instant query`);
            if (ds.type === 'gen3-dcoc-datasource') {
              assert.equal(d.model.queryType, 'health', `${d.refId}: DCOC alerting uses the health query`);
              assert.ok(['services_down', 'agent_silence_seconds', 'commands_failed'].includes(String(d.model.metric)), `${d.refId}: health metric`);
            }
          }
        }
        assert.ok(durationSeconds(rule.for) >= 0, 'for');
        assert.ok(['NoData', 'Alerting', 'OK'].includes(String(rule.noDataState)), 'noDataState');
        assert.ok(['Error', 'Alerting', 'OK'].includes(String(rule.execErrState)), 'execErrState');

        assert.ok(['critical', 'warning'].includes(rule.labels.severity), 'severity label');
        // Labels are env-interpolated on provisioning: alert templates must be escaped as $$.
        assert.equal(rule.labels.commons, '{{ $$labels.commons }}', 'commons label');
        if (SERVICE_SCOPED.has(rule.title)) assert.equal(rule.labels.service, '{{ $$labels.service }}', 'service label');
        if (ENDPOINT_SCOPED.has(rule.title)) assert.equal(rule.labels.endpoint, '{{ $$labels.endpoint }}', 'endpoint label');
        for (const [k, v] of Object.entries(rule.labels)) assert.doesNotMatch(v, /(^|[^$])\$[a-zA-Z{]/, `label ${k} has an unescaped $`);

        for (const k of ['summary', 'description', 'runbook_url']) assert.ok(rule.annotations[k], `annotation ${k}`);
        // Annotations are not interpolated: a $$ would show literally.
        for (const [k, v] of Object.entries(rule.annotations)) assert.doesNotMatch(v, /\$\$/, `annotation ${k}`);
        assert.match(rule.annotations.summary, /\{\{ \$labels\.commons \}\}/);
      });
    }

    it('runbook links, dashboard and panel links point at provisioned dashboards and panels', () => {
      const byUid = new Map(dashboards.map((d) => [d.dashboard.uid, d.dashboard]));
      const runbooks = byUid.get('dcoc-runbooks')!;
      for (const { rule } of rules) {
        const m = /^\/d\/([a-zA-Z0-9_-]+)(\/[a-z0-9-]+)?$/.exec(rule.annotations.runbook_url);
        assert.ok(m, `${rule.title}: runbook_url ${rule.annotations.runbook_url}`);
        assert.equal(m[1], 'dcoc-runbooks');
        assert.ok(allPanels(runbooks).some((p) => p.title === rule.title), `${rule.title}: no runbook panel`);
        const d = byUid.get(rule.dashboardUid ?? '');
        assert.ok(d, `${rule.title}: dashboardUid ${rule.dashboardUid}`);
        assert.ok(allPanels(d).some((p) => p.id === rule.panelId && p.type !== 'row'), `${rule.title}: panel ${rule.panelId} in ${rule.dashboardUid}`);
      }
    });

    it('the Prometheus rule file has the same alerts, for, severity and annotations; same PromQL where Grafana queries Prometheus', () => {
      assert.deepEqual(prom.map((r) => r.alert).sort(), rules.map((r) => r.rule.title).sort());
      for (const { rule } of rules) {
        const p = prom.find((x) => x.alert === rule.title)!;
        assert.equal(durationSeconds(p.for ?? '0s'), durationSeconds(rule.for), `${rule.title}: for`);
        assert.equal(p.labels?.severity, rule.labels.severity, `${rule.title}: severity`);
        assert.equal(p.labels?.commons, '{{ $labels.commons }}', `${rule.title}: commons label`);
        if (SERVICE_SCOPED.has(rule.title)) assert.equal(p.labels?.service, '{{ $labels.service }}', `${rule.title}: service label`);
        if (ENDPOINT_SCOPED.has(rule.title)) assert.equal(p.labels?.endpoint, '{{ $labels.endpoint }}', `${rule.title}: endpoint label`);
        assert.deepEqual(p.annotations, rule.annotations, `${rule.title}: annotations`);
        const query = rule.data.find((d) => d.datasourceUid !== '__expr__')!;
        if (query.datasourceUid !== 'prometheus') continue;
        const cond = rule.data.find((d) => d.refId === rule.condition)!;
        assert.equal(cond.model.type, 'threshold');
        assert.equal(cond.model.expression, query.refId);
        const [c] = cond.model.conditions as { evaluator: { type: string; params: number[] } }[];
        assert.equal(p.expr, `${String(query.model.expr)} ${thresholdOp(c.evaluator)}`, `${rule.title}: Prometheus expr = Grafana query + threshold`);
      }
    });

    it('alerts go to a contact point configured from the environment, grouped by commons', () => {
      const n = yamlOf<{ contactPoints: { name: string; receivers: { uid: string; type: string; settings: Json }[] }[]; policies: Json[] }>('alerting/dcoc-notifications.yaml');
      assert.equal(n.contactPoints.length, 1);
      const cp = n.contactPoints[0];
      assert.equal(cp.receivers.length, 1);
      assert.equal(cp.receivers[0].type, 'webhook');
      assert.ok(cp.receivers[0].uid);
      assert.equal(cp.receivers[0].settings.url, '$DCOC_ALERT_WEBHOOK_URL');
      assert.equal(n.policies.length, 1);
      assert.equal(n.policies[0].receiver, cp.name, 'the policy routes to the DCOC contact point');
      assert.deepEqual(n.policies[0].group_by, ['commons']);
    });
  });

  it('every file the provisioning names exists in the repository', () => {
    for (const f of ['dashboards/fleet.json', 'dashboards/commons.json', 'dashboards/runbooks.json', 'provisioning/prometheus/dcoc-alerts.yml']) {
      assert.ok(existsSync(join(PROVISIONING, '..', f)), f);
    }
    const t = readJson<Dashboard>(join(PROVISIONING, '..', 'dashboards', 'commons.json'));
    assert.ok(t.panels.length > 0);
  });
});

