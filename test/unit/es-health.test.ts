// Elasticsearch behind aws-es-proxy or aws-sigv4-proxy.
// GET /_cluster/health answers 200 whatever the cluster's state, so "HTTP
// 200" cannot be the rule: red (a primary shard unassigned, some indices
// unsearchable) is unhealthy; yellow (every primary allocated, some replicas
// not: every index still answers; the steady state of a one-node domain) is
// healthy, saying so. Both proxies serve Service `elasticsearch` on port 9200
// and have no readiness probe (uc-cdis/gen3-helm 42cc46bc,
// helm/aws-es-proxy and helm/aws-sigv4-proxy: templates/service.yaml,
// templates/deployment.yaml, values.yaml `service.port: 9200`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterHealthTargets } from '../../agent/collectors/gen3-health';
import { judgeHealth } from '../../agent/collectors/health-rules';
import { GEN3_SERVICES, gen3Service } from '../../contracts/gen3/catalog';

const body = (status: string, unassigned = 0) => JSON.stringify({ cluster_name: 'exampleprod-es', status, timed_out: false, number_of_nodes: 3, active_primary_shards: 40, unassigned_shards: unassigned });

describe('Elasticsearch cluster health', () => {
  it('green is healthy, yellow healthy with the reason, red unhealthy, although each answers 200', () => {
    assert.deepEqual(judgeHealth('es-cluster-health', 200, body('green')), { ok: true, detail: 'green' });
    const yellow = judgeHealth('es-cluster-health', 200, body('yellow', 12));
    assert.equal(yellow.ok, true);
    assert.match(yellow.detail, /^yellow: every primary shard allocated, some replicas not, 12 unassigned shard\(s\)/);
    const red = judgeHealth('es-cluster-health', 200, body('red', 3));
    assert.equal(red.ok, false);
    assert.match(red.detail, /^red: primary shard\(s\) unassigned, some indices cannot be searched, 3 unassigned shard\(s\)/);
    // Not cluster health at all, or an error status: unhealthy.
    assert.equal(judgeHealth('es-cluster-health', 200, '<html>nginx</html>').ok, false);
    assert.equal(judgeHealth('es-cluster-health', 200, '{"status":"purple"}').ok, false);
    assert.equal(judgeHealth('es-cluster-health', 403, '{"message":"User: anonymous is not authorized"}').ok, false);
    // What the old rule (any 2xx) made of red.
    assert.equal(judgeHealth('http-200', 200, body('red')).ok, true);
  });

  it('both proxies are probed at the Service gen3-helm renders, with that rule', () => {
    for (const name of ['aws-es-proxy', 'aws-sigv4-proxy']) {
      const s = gen3Service(name)!;
      assert.deepEqual([s.k8sService, s.servicePort, s.healthPath, s.healthRule, s.deployment], ['elasticsearch', 9200, '/_cluster/health', 'es-cluster-health', `${name}-deployment`]);
    }
    assert.deepEqual(clusterHealthTargets('gen3')(['aws-sigv4-proxy']), [{ service: 'aws-sigv4-proxy', url: 'http://elasticsearch.gen3.svc.cluster.local:9200/_cluster/health', rule: 'es-cluster-health' }]);
    // The catalog holds services with a health endpoint; the umbrella's others (etl, dashboard, ...) are not probed.
    for (const name of ['etl', 'dashboard', 'argo-wrapper', 'fluentd', 'pidgin']) assert.equal(GEN3_SERVICES.some((s) => s.name === name), false, name);
  });
});
