// The alarm engine driven by the AWS SDK for JavaScript v3 (awsJson1_0): vigil runs with
// --clock manual; the test puts an alarm and data, moves time with POST /_vigil/clock (which
// answers once every due evaluation has run), and reads the state, reason and history back;
// SetAlarmState and the return to the evaluated state; a band alarm (ThresholdMetricId);
// SIGTERM -> exit code 0.
// VIGIL_ENDPOINT=http://host:port targets a running server started with --clock manual.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  PutMetricDataCommand,
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
  DeleteAlarmsCommand,
} from "@aws-sdk/client-cloudwatch";
import { EXTERNAL, vigil, logTail, startServer, stopServer, withLog, clock, cloudwatch as client } from "./server.mjs";

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
  await startServer(["--clock", "manual"], "vigil-js-alarms-");
});

after(stopServer);

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

test("a band alarm (ThresholdMetricId) alarms on a value far above ANOMALY_DETECTION_BAND",
  withLog(async () => {
    const c = client();
    const name = `${ns}/band`;
    // An hour boundary a few hours back: six hours of one-minute history before it.
    const h = Math.floor(Date.now() / 3600000) * 3600 - 3 * 3600;
    await clock({ now: h - 5 });
    for (let b = 0; b < 360; b += 180) {
      const data = [];
      for (let i = b; i < b + 180; i++) {
        data.push({ MetricName: "load", Value: 100 + ((i * 7919) % 11 - 5) * 0.2,
          Timestamp: new Date((h - 6 * 3600 + i * 60) * 1000) });
      }
      await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
    }
    await c.send(new PutMetricAlarmCommand({
      AlarmName: name, EvaluationPeriods: 1, ComparisonOperator: "GreaterThanUpperThreshold",
      ThresholdMetricId: "ad1",
      Metrics: [
        { Id: "m1", ReturnData: true, MetricStat: {
          Metric: { Namespace: ns, MetricName: "load" }, Period: 60, Stat: "Average" } },
        { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)", ReturnData: true },
      ],
    }));
    await c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [
      { MetricName: "load", Value: 500, Timestamp: new Date((h + 10) * 1000) }] }));
    await clock({ now: h + 60 });
    const [a] = (await c.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms;
    assert.equal(a.ThresholdMetricId, "ad1");
    assert.equal(a.StateValue, "ALARM", a.StateReason);
    assert.ok(a.StateReason.startsWith(
      `Thresholds Crossed: 1 out of the last 1 datapoints [500.0 (${reasonDate(h)})] was ` +
      "greater than the upper thresholds ["), a.StateReason);
    const data = JSON.parse(a.StateReasonData);
    assert.deepEqual(data.recentDatapoints, [500]);
    assert.equal(data.recentUpperThresholds.length, 1);
    assert.ok(data.recentUpperThresholds[0] < 500);
    await c.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
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
