// Anomaly detection driven by the AWS SDK for JavaScript v3: PutAnomalyDetector (single-metric
// with a Configuration, and metric math), DescribeAnomalyDetectors (its SINGLE_METRIC default and
// the METRIC_MATH type), DeleteAnomalyDetector and its ResourceNotFoundException, a validation
// error, and ANOMALY_DETECTION_BAND in GetMetricData (upper first, lower last, same Id).
// vigil runs with --clock manual so "now" is the test's.
// VIGIL_ENDPOINT=http://host:port targets a running server started with --clock manual.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  PutMetricDataCommand,
  PutAnomalyDetectorCommand,
  DescribeAnomalyDetectorsCommand,
  DeleteAnomalyDetectorCommand,
  GetMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { startServer, stopServer, withLog, clock, cloudwatch as client } from "./server.mjs";

const ns = `VigilIT/js-anomaly/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
// An hour boundary a few hours back; six hours of one-minute history end there.
const h = Math.floor(Date.now() / 3600000) * 3600 - 3 * 3600;
const dims = [{ Name: "Host", Value: "web-1" }];

before(async () => {
  await startServer(["--clock", "manual"], "vigil-js-anomaly-");
  await clock({ now: h });
});

after(stopServer);

test("detectors: put, describe (SINGLE_METRIC by default, METRIC_MATH on request), delete",
  withLog(async () => {
    const c = client();
    const single = { Namespace: ns, MetricName: "load", Dimensions: dims, Stat: "Average" };
    await c.send(new PutAnomalyDetectorCommand({
      SingleMetricAnomalyDetector: single,
      Configuration: {
        ExcludedTimeRanges: [{ StartTime: new Date((h - 7200) * 1000), EndTime: new Date((h - 3600) * 1000) }],
        MetricTimezone: "Europe/Berlin",
      },
    }));
    const math = { MetricDataQueries: [
      { Id: "m1", ReturnData: false, MetricStat: {
        Metric: { Namespace: ns, MetricName: "load", Dimensions: dims }, Period: 60, Stat: "Average" } },
      { Id: "e1", Expression: "m1 * 2", ReturnData: true },
    ] };
    await c.send(new PutAnomalyDetectorCommand({ MetricMathAnomalyDetector: math }));

    const byDefault = await c.send(new DescribeAnomalyDetectorsCommand({ Namespace: ns }));
    assert.equal(byDefault.AnomalyDetectors.length, 1);
    const [d] = byDefault.AnomalyDetectors;
    assert.deepEqual(d.SingleMetricAnomalyDetector.Dimensions, dims);
    assert.equal(d.SingleMetricAnomalyDetector.Stat, "Average");
    assert.equal(d.SingleMetricAnomalyDetector.Namespace, ns);
    assert.equal(d.Namespace, ns, "the legacy fields too");
    assert.equal(d.Configuration.MetricTimezone, "Europe/Berlin");
    assert.equal(d.Configuration.ExcludedTimeRanges.length, 1);
    assert.equal(d.Configuration.ExcludedTimeRanges[0].StartTime.getTime(), (h - 7200) * 1000);
    assert.equal(d.StateValue, "PENDING_TRAINING", "no data yet");

    const maths = await c.send(new DescribeAnomalyDetectorsCommand({ AnomalyDetectorTypes: ["METRIC_MATH"] }));
    const mine = maths.AnomalyDetectors.filter((x) =>
      x.MetricMathAnomalyDetector.MetricDataQueries.some((q) => q.MetricStat?.Metric.Namespace === ns));
    assert.equal(mine.length, 1);
    assert.equal(mine[0].SingleMetricAnomalyDetector, undefined);
    assert.equal(mine[0].MetricMathAnomalyDetector.MetricDataQueries[1].Expression, "m1 * 2");

    await c.send(new DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: single }));
    await c.send(new DeleteAnomalyDetectorCommand({ MetricMathAnomalyDetector: math }));
    const left = await c.send(new DescribeAnomalyDetectorsCommand({ Namespace: ns }));
    assert.deepEqual(left.AnomalyDetectors, []);
    await assert.rejects(c.send(new DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: single })),
      (e) => e.name === "ResourceNotFoundException" && e.$metadata.httpStatusCode === 404);
  }));

test("a Configuration with an unknown time zone is an InvalidParameterValue", withLog(async () => {
  await assert.rejects(client().send(new PutAnomalyDetectorCommand({
    SingleMetricAnomalyDetector: { Namespace: ns, MetricName: "load", Stat: "Average" },
    Configuration: { MetricTimezone: "Mars/Olympus_Mons" },
  })), (e) => e.name === "InvalidParameterValueException" && e.$metadata.httpStatusCode === 400);
}));

test("ANOMALY_DETECTION_BAND in GetMetricData: upper then lower, around a steady metric",
  withLog(async () => {
    const c = client();
    for (let b = 0; b < 360; b += 180) {
      const data = [];
      for (let i = b; i < b + 180; i++) {
        data.push({ MetricName: "band", Dimensions: dims, Value: 100 + ((i * 7919) % 11 - 5) * 0.2,
          Timestamp: new Date((h - 6 * 3600 + i * 60) * 1000) });
      }
      await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
    }
    const out = await c.send(new GetMetricDataCommand({
      StartTime: new Date((h - 3600) * 1000), EndTime: new Date(h * 1000), ScanBy: "TimestampAscending",
      MetricDataQueries: [
        { Id: "m1", Label: "load", MetricStat: {
          Metric: { Namespace: ns, MetricName: "band", Dimensions: dims }, Period: 60, Stat: "Average" } },
        { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)" },
      ],
    }));
    assert.equal(out.MetricDataResults.length, 3);
    const [m, upper, lower] = out.MetricDataResults;
    assert.equal(m.Id, "m1");
    assert.equal(upper.Id, "ad1");
    assert.equal(lower.Id, "ad1");
    assert.equal(upper.Label, "load (upper)");
    assert.equal(lower.Label, "load (lower)");
    assert.equal(m.Values.length, 60);
    assert.deepEqual(upper.Timestamps.map(Number), m.Timestamps.map(Number));
    assert.deepEqual(lower.Timestamps.map(Number), m.Timestamps.map(Number));
    let inside = 0;
    for (let i = 0; i < m.Values.length; i++) {
      assert.ok(lower.Values[i] < upper.Values[i]);
      assert.ok(upper.Values[i] < 110 && lower.Values[i] > 90, `${lower.Values[i]}..${upper.Values[i]}`);
      if (lower.Values[i] <= m.Values[i] && m.Values[i] <= upper.Values[i]) inside++;
    }
    assert.ok(inside >= 54, `${inside} of 60 inside`);
  }));
