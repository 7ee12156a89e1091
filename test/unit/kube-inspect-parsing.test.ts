// The pure parts of the Kubernetes inspector: pods/log lines with the
// kubelet's timestamps, resource quantities, and the chart a Job or CronJob
// belongs to. The API paths are tested on the real control plane
// (test/kube-real/agent-logs.test.ts, agent-resources.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartOfName } from '../../agent/kubernetes/kube-events';
import { KubeHttpError } from '../../agent/kubernetes/kube-http';
import { quantity } from '../../agent/kubernetes/kube-quantity';
import { unavailableDetail } from '../../agent/kubernetes/kube-resources';
import { LINE_CHARS_MAX, LineSplitter, parseStampedLine, sinceTimeParam } from '../../agent/kubernetes/log-lines';

describe('pods/log lines', () => {
  it('parses the RFC3339Nano prefix the kubelet writes (timestamps=true), keeping the text as is', () => {
    // k8s.io/cri-client pkg/logs writes RFC3339NanoFixed: always 9 fraction digits.
    assert.deepEqual(parseStampedLine('2026-11-24T08:00:01.123456789Z GET /health 200 '), {
      ts: '2026-11-24T08:00:01.123456789Z',
      timeMs: Date.parse('2026-11-24T08:00:01.123Z'),
      text: 'GET /health 200 ',
    });
    assert.equal(parseStampedLine('2026-11-24T08:00:01Z x').ts, '2026-11-24T08:00:01.000000000Z');
    assert.equal(parseStampedLine('2026-11-24T10:00:01.5+02:00 y').timeMs, Date.parse('2026-11-24T08:00:01.500Z'));
    assert.deepEqual(parseStampedLine('no timestamp here'), { ts: '', timeMs: 0, text: 'no timestamp here' });
    assert.deepEqual(parseStampedLine('2026-13-99T99:00:00Z bad'), { ts: '', timeMs: 0, text: '2026-13-99T99:00:00Z bad' });
    assert.equal(sinceTimeParam(Date.parse('2026-11-24T08:00:01.999Z')), '2026-11-24T08:00:01Z');
  });

  it('splits a byte stream into lines across chunks and multi-byte characters, cutting a runaway line', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('één\r\ntwee\ndr', 'utf8');
    // Split inside the two-byte é.
    assert.deepEqual([...s.push(bytes.subarray(0, 1)), ...s.push(bytes.subarray(1))], ['één', 'twee']);
    assert.deepEqual(s.push(Buffer.from('ie\n')), ['drie']);
    assert.deepEqual(s.end(), []);
    const long = new LineSplitter();
    const out = [...long.push(Buffer.from('x'.repeat(LINE_CHARS_MAX + 10))), ...long.push(Buffer.from('yyy\nnext\nlast'))];
    assert.deepEqual(out.map((l) => l.length), [LINE_CHARS_MAX, 4]);
    assert.deepEqual(long.end(), ['last']);
  });
});

describe('resource quantities', () => {
  it('reads CPU and memory as Kubernetes writes them', () => {
    assert.equal(quantity('250m'), 0.25);
    assert.equal(quantity('1'), 1);
    assert.equal(quantity('1.5'), 1.5);
    assert.equal(quantity('123456789n'), 0.123456789);
    assert.equal(quantity('300Mi'), 300 * 2 ** 20);
    assert.equal(quantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(quantity('129M'), 129e6);
    assert.equal(quantity('12e3'), 12000);
    assert.equal(quantity('5Ki'), 5120);
    for (const bad of ['', undefined, 'lots', '1Xi', '--1']) assert.equal(quantity(bad), 0, String(bad));
  });
});

describe('the service of an event', () => {
  it("names a Job's or CronJob's chart by gen3-helm's naming, the longest chart first", () => {
    assert.equal(chartOfName('fence-delete-expired-clients'), 'fence');
    assert.equal(chartOfName('fence-delete-expired-clients-29123456'), 'fence');
    assert.equal(chartOfName('presigned-url-fence-x'), 'presigned-url-fence');
    assert.equal(chartOfName('arborist-rm-expired-access'), 'arborist');
    assert.equal(chartOfName('es-garbage'), '');
    assert.equal(chartOfName('fencey'), '');
  });
});

describe('resources unavailable', () => {
  it('says what is missing and what to do, by the apiserver status', () => {
    assert.match(unavailableDetail(new KubeHttpError(404, 'NotFound', 'the server could not find the requested resource')), /no metrics-server installed\): install metrics-server/);
    assert.match(unavailableDetail(new KubeHttpError(503, 'ServiceUnavailable', 'service unavailable')), /registered but its server does not answer/);
    assert.match(unavailableDetail(new KubeHttpError(403, 'Forbidden', 'pods.metrics.k8s.io is forbidden')), /does not grant list on pods in apiGroup metrics\.k8s\.io/);
    assert.match(unavailableDetail(new Error('connect ECONNREFUSED')), /could not be read: connect ECONNREFUSED/);
  });
});
