// The alarm engine driven by the AWS SDK for JavaScript v3 (awsJson1_0): vigil runs with
// --clock manual; the test puts an alarm and data, moves time with POST /_vigil/clock (which
// answers once every due evaluation has run), and reads the state, reason and history back;
// SetAlarmState and the return to the evaluated state; SIGTERM -> exit code 0.
// VIGIL_ENDPOINT=http://host:port targets a running server started with --clock manual.

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
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
  DeleteAlarmsCommand,
} from "@aws-sdk/client-cloudwatch";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..", "..");
const BINARY = process.env.VIGIL_BIN || path.join(REPO, "build", "vigil");
const EXTERNAL = (process.env.VIGIL_ENDPOINT || "").replace(/\/+$/, "");
const START_TIMEOUT_MS = Number(process.env.VIGIL_START_TIMEOUT || 30) * 1000;

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
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-js-alarms-"));
  logPath = path.join(workdir, "vigil.log");
  const portFile = path.join(workdir, "port");
  const log = fs.openSync(logPath, "a");
  assert.ok(fs.existsSync(BINARY), `vigil binary not found at ${BINARY} (set VIGIL_BIN)`);
  proc = spawn(BINARY, ["--listen", "127.0.0.1:0", "--data-dir", path.join(workdir, "data"),
    "--port-file", portFile, "--log-level", "debug", "--clock", "manual"],
  { stdio: ["ignore", log, log] });
  exitPromise = new Promise((resolve) => {
    proc.on("exit", (code, signal) => resolve({ code, signal }));
  });
  let exited = null;
  exitPromise.then((r) => { exited = r; });
  const deadline = Date.now() + START_TIMEOUT_MS;
  let delay = 5;
  while (true) {
    if (exited) throw new Error(`vigil exited early (${JSON.stringify(exited)})\n${logTail()}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`vigil not ready within ${START_TIMEOUT_MS} ms\n${logTail()}`);
    }
    const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, "utf8") : "";
    if (/^\d+\n$/.test(text)) {
      endpoint = `http://127.0.0.1:${Number(text.trim())}`;
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

async function clock(body) {
  const res = await fetch(`${endpoint}/_vigil/clock`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

function client() {
  return new CloudWatchClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/EXAMPLEKEY" },
    maxAttempts: 1,
  });
}

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

const ns = `VigilIT/js-alarms/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
// The evaluation instant: a minute boundary 10 minutes ago (PutMetricData accepts its data).
const end = Math.floor(Date.now() / 60000) * 60 - 600;

function reasonDate(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

before(async () => {
  if (!EXTERNAL) await startServer();
});

after(async () => {
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  if (workdir && !process.env.VIGIL_KEEP_TMP) fs.rmSync(workdir, { recursive: true, force: true });
});

test("an alarm goes to ALARM when the manual clock passes a breaching minute", withLog(async () => {
  const c = client();
  const name = `${ns}/cpu`;
  await clock({ now: end - 5 });
  await c.send(new PutMetricAlarmCommand({
    AlarmName: name, Namespace: ns, MetricName: "cpu", Statistic: "Average", Period: 60,
    EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 80,
    ComparisonOperator: "GreaterThanThreshold",
  }));
  let [a] = (await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms;
  assert.equal(a.StateValue, "INSUFFICIENT_DATA");
  assert.equal(a.StateReason, "Unchecked: Initial alarm creation");
  await c.send(new PutMetricDataCommand({
    Namespace: ns,
    MetricData: [
      { MetricName: "cpu", Value: 90, Timestamp: new Date((end - 120 + 10) * 1000) },
      { MetricName: "cpu", Value: 95, Timestamp: new Date((end - 60 + 10) * 1000) },
    ],
  }));
  const answer = await clock({ advance: 5 });
  assert.equal(answer.now, end);
  [a] = (await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms;
  assert.equal(a.StateValue, "ALARM");
  assert.equal(a.StateReason,
    `Threshold Crossed: 2 out of the last 2 datapoints [95.0 (${reasonDate(end - 60)}), ` +
    `90.0 (${reasonDate(end - 120)})] were greater than the threshold (80.0) ` +
    "(minimum 2 datapoints for OK -> ALARM transition).");
  const data = JSON.parse(a.StateReasonData);
  assert.deepEqual(data.recentDatapoints, [90, 95]);
  const history = await c.send(new DescribeAlarmHistoryCommand({
    AlarmName: name, HistoryItemType: "StateUpdate",
  }));
  assert.equal(history.AlarmHistoryItems.length, 1);
  assert.equal(history.AlarmHistoryItems[0].HistorySummary,
    "Alarm updated from INSUFFICIENT_DATA to ALARM");
}));

test("SetAlarmState holds until the next evaluation", withLog(async () => {
  const c = client();
  const name = `${ns}/cpu`;
  await c.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "OK",
    StateReason: "testing" }));
  let [a] = (await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms;
  assert.equal(a.StateValue, "OK");
  assert.equal(a.StateReason, "testing");
  await clock({ advance: 60 });
  [a] = (await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms;
  assert.equal(a.StateValue, "ALARM");
  await c.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
  const left = await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  assert.deepEqual(left.MetricAlarms, []);
  assert.deepEqual(left.CompositeAlarms, []);
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
