// vigil driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-cloudwatch, awsJson1_0).
//
// Starts $VIGIL_BIN (default <repo>/build/vigil) on a free port with --port-file and a temp
// data dir, waits for /_vigil/health, then: put (small, and > 10 KiB so the SDK gzips it), list,
// get statistics, metric math through GetMetricData, one error, and finally SIGTERM -> exit
// code 0.
// VIGIL_ENDPOINT=http://host:port targets a running server instead (nothing is spawned; the
// SIGTERM test is skipped). Run: npm ci && node --test (see docs/testing.md).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CloudWatchClient,
  PutMetricDataCommand,
  ListMetricsCommand,
  GetMetricStatisticsCommand,
  GetMetricDataCommand,
  DescribeInsightRulesCommand,
} from "@aws-sdk/client-cloudwatch";
import { EXTERNAL, vigil, logTail, startServer, stopServer, withLog } from "./server.mjs";

function client(extra = {}) {
  const requests = [];
  const c = new CloudWatchClient({
    endpoint: vigil.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/EXAMPLEKEY" },
    maxAttempts: 1,
    ...extra,
  });
  // Record the final request (after compression and signing) for assertions.
  c.middlewareStack.add((next) => async (args) => {
    const { headers, body, path: reqPath } = args.request;
    requests.push({ headers: { ...headers }, body, path: reqPath });
    return next(args);
  }, { step: "finalizeRequest", priority: "low", name: "vigilCapture" });
  return { c, requests };
}


const t0 = Math.floor(Date.now() / 60000) * 60000 - 30 * 60000; // 30 min ago, minute-aligned
const ns = `VigilIT/js/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

before(async () => {
  await startServer();
});

after(stopServer);

test("the SDK's default compression threshold is 10 KiB", async () => {
  const { c } = client();
  assert.equal(await c.config.requestMinCompressionSizeBytes(), 10240);
  assert.equal(await c.config.disableRequestCompression(), false);
});

test("put a small body (not compressed) and a > 10 KiB body (gzip)", withLog(async () => {
  const { c, requests } = client();
  const small = await c.send(new PutMetricDataCommand({
    Namespace: ns,
    MetricData: [
      { MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "h1" }], Timestamp: new Date(t0),
        Value: 12.5, Unit: "Milliseconds" },
      { MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "h1" }],
        Timestamp: new Date(t0 + 10000), Values: [1, 2, 3], Counts: [1, 1, 2], Unit: "Milliseconds" },
    ],
  }));
  assert.equal(small.$metadata.httpStatusCode, 200);
  assert.ok(small.$metadata.requestId, "x-amzn-RequestId missing");
  assert.equal(requests.at(-1).headers["x-amz-target"],
    "GraniteServiceVersion20100801.PutMetricData");
  assert.equal(requests.at(-1).headers["content-encoding"], undefined);

  const big = [];
  for (let i = 0; i < 300; i++) {
    const shard = `shard-${String(i).padStart(4, "0")}`;
    big.push({ MetricName: "Bulk", Dimensions: [{ Name: "Shard", Value: shard }],
      Timestamp: new Date(t0), Value: i, Unit: "Count" });
  }
  const res = await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: big }));
  assert.equal(res.$metadata.httpStatusCode, 200);
  assert.equal(requests.at(-1).headers["content-encoding"], "gzip");
  const gz = requests.at(-1).body;
  assert.ok(gz.length < 10240, `compressed body of ${gz.length} bytes`);
  assert.equal(gz[0], 0x1f);
  assert.equal(gz[1], 0x8b);
}));

test("list metrics", withLog(async () => {
  const { c } = client();
  const latency = await c.send(new ListMetricsCommand({ Namespace: ns, MetricName: "Latency" }));
  assert.deepEqual(latency.Metrics, [
    { Namespace: ns, MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "h1" }] },
  ]);
  const bulk = await c.send(new ListMetricsCommand({ Namespace: ns, MetricName: "Bulk" }));
  assert.equal(bulk.Metrics.length, 300);
  assert.equal(bulk.NextToken, undefined);
}));

test("get metric statistics", withLog(async () => {
  const { c } = client();
  const res = await c.send(new GetMetricStatisticsCommand({
    Namespace: ns, MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "h1" }],
    StartTime: new Date(t0), EndTime: new Date(t0 + 60000), Period: 60,
    Statistics: ["SampleCount", "Sum", "Minimum", "Maximum", "Average"],
  }));
  assert.equal(res.Label, "Latency");
  assert.equal(res.Datapoints.length, 1);
  const p = res.Datapoints[0];
  assert.equal(p.Timestamp.getTime(), t0);
  assert.deepEqual([p.SampleCount, p.Sum, p.Minimum, p.Maximum, p.Average, p.Unit],
    [5, 21.5, 1, 12.5, 4.3, "Milliseconds"]);

  const bulk = await c.send(new GetMetricStatisticsCommand({
    Namespace: ns, MetricName: "Bulk", Dimensions: [{ Name: "Shard", Value: "shard-0299" }],
    StartTime: new Date(t0), EndTime: new Date(t0 + 60000), Period: 60, Statistics: ["Sum"],
  }));
  assert.deepEqual(bulk.Datapoints.map((d) => [d.Sum, d.Unit]), [[299, "Count"]]);
}));

test("get metric data with a metric-math expression", withLog(async () => {
  const { c } = client();
  const res = await c.send(new GetMetricDataCommand({
    StartTime: new Date(t0), EndTime: new Date(t0 + 60000), ScanBy: "TimestampAscending",
    MetricDataQueries: [
      { Id: "m1", ReturnData: false, MetricStat: { Metric: { Namespace: ns, MetricName: "Latency",
        Dimensions: [{ Name: "Host", Value: "h1" }] }, Period: 60, Stat: "Sum" } },
      { Id: "e1", Expression: "m1 * 2 + RUNNING_SUM(m1)", Label: "doubled" },
    ],
  }));
  assert.equal(res.MetricDataResults.length, 1);
  const r = res.MetricDataResults[0];
  assert.deepEqual([r.Id, r.Label, r.StatusCode, r.Values], ["e1", "doubled", "Complete", [64.5]]);
  assert.equal(r.Timestamps[0].getTime(), t0);
  await assert.rejects(c.send(new GetMetricDataCommand({
    StartTime: new Date(t0), EndTime: new Date(t0 + 60000),
    MetricDataQueries: [{ Id: "e1", Expression: "SUM(m9" }],
  })), (err) => {
    assert.equal(err.Code, "ValidationError");
    assert.equal(err.message,
      "Error in expression e1: syntax error at position 7: the '(' at position 4 is not closed.\n");
    return true;
  });
}));

test("an error carries the legacy code, the status and the message", withLog(async () => {
  const { c } = client();
  await assert.rejects(
    c.send(new GetMetricStatisticsCommand({
      Namespace: ns, MetricName: "Latency", StartTime: new Date(t0), EndTime: new Date(t0),
      Period: 60, Statistics: ["Sum"],
    })),
    (err) => {
      assert.equal(err.name, "InvalidParameterValueException");
      assert.equal(err.Code, "InvalidParameterValue");
      assert.equal(err.$fault, "client");
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.ok(err.$metadata.requestId, "x-amzn-RequestId missing on the error");
      assert.equal(err.message, "The parameter StartTime must be less than the parameter EndTime.");
      return true;
    });
  await assert.rejects(c.send(new DescribeInsightRulesCommand({})), (err) => {
    assert.equal(err.$metadata.httpStatusCode, 501);
    assert.match(err.message, /DescribeInsightRules/);
    return true;
  });
}));

test("SIGTERM stops vigil with exit code 0", { skip: EXTERNAL ? "external endpoint" : false },
  withLog(async () => {
    vigil.proc.kill("SIGTERM");
    const result = await Promise.race([
      vigil.exitPromise,
      sleep(20000, undefined, { ref: false }).then(() => ({ timeout: true })),
    ]);
    assert.deepEqual(result, { code: 0, signal: null }, logTail());
  }));
