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
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CloudWatchClient,
  PutMetricDataCommand,
  ListMetricsCommand,
  GetMetricStatisticsCommand,
  GetMetricDataCommand,
  DescribeInsightRulesCommand,
} from "@aws-sdk/client-cloudwatch";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..", "..");
const BINARY = process.env.VIGIL_BIN || path.join(REPO, "build", "vigil");
const EXTERNAL = (process.env.VIGIL_ENDPOINT || "").replace(/\/+$/, "");
const START_TIMEOUT_MS = Number(process.env.VIGIL_START_TIMEOUT || 30) * 1000;

// Keep the caller's AWS configuration out of the SDK (profiles, compression overrides, ...).
for (const key of Object.keys(process.env)) {
  if (key.startsWith("AWS_")) delete process.env[key];
}
process.env.AWS_CONFIG_FILE = "/dev/null";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
process.env.AWS_EC2_METADATA_DISABLED = "true";

let proc = null;
let exitPromise = null;
let workdir = null;
let logPath = null;
let endpoint = EXTERNAL;

function logTail(lines = 80) {
  if (!logPath || !fs.existsSync(logPath)) return "(no vigil log)";
  const all = fs.readFileSync(logPath, "utf8").split("\n");
  return `----- vigil log ${logPath} -----\n${all.slice(-lines).join("\n")}\n-----`;
}

async function startServer() {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-js-"));
  logPath = path.join(workdir, "vigil.log");
  const portFile = path.join(workdir, "port");
  const log = fs.openSync(logPath, "a");
  assert.ok(fs.existsSync(BINARY), `vigil binary not found at ${BINARY} (set VIGIL_BIN)`);
  proc = spawn(BINARY, ["--listen", "127.0.0.1:0", "--data-dir", path.join(workdir, "data"),
    "--port-file", portFile, "--log-level", "debug"], { stdio: ["ignore", log, log] });
  exitPromise = new Promise((resolve) => {
    proc.on("exit", (code, signal) => resolve({ code, signal }));
  });
  let exited = null;
  exitPromise.then((r) => { exited = r; });
  const deadline = Date.now() + START_TIMEOUT_MS;
  let port = null;
  let lastText = null;
  let delay = 5;
  while (true) {
    if (exited) throw new Error(`vigil exited early (${JSON.stringify(exited)})\n${logTail()}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`vigil not ready within ${START_TIMEOUT_MS} ms\n${logTail()}`);
    }
    if (port === null) {
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, "utf8") : "";
      // Complete once newline-terminated, or unchanged over two polls (no newline written).
      if (/^\d+\s*$/.test(text) && (text.endsWith("\n") || text === lastText)) {
        port = Number(text.trim());
        endpoint = `http://127.0.0.1:${port}`;
      }
      lastText = text;
    } else {
      try {
        const res = await fetch(`${endpoint}/_vigil/health`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}

function client(extra = {}) {
  const requests = [];
  const c = new CloudWatchClient({
    endpoint,
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

// A test body that prints the server log when it fails.
function withLog(fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (err) {
      if (!EXTERNAL) console.error(logTail());
      throw err;
    }
  };
}

const t0 = Math.floor(Date.now() / 60000) * 60000 - 30 * 60000; // 30 min ago, minute-aligned
const ns = `VigilIT/js/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

before(async () => {
  if (!EXTERNAL) await startServer();
});

after(async () => {
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  if (workdir && !process.env.VIGIL_KEEP_TMP) fs.rmSync(workdir, { recursive: true, force: true });
});

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
    proc.kill("SIGTERM");
    const result = await Promise.race([
      exitPromise,
      sleep(20000, undefined, { ref: false }).then(() => ({ timeout: true })),
    ]);
    assert.deepEqual(result, { code: 0, signal: null }, logTail());
  }));
