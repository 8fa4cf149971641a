// The SNS-compatible API and delivery driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-sns,
// awsQuery): topics, attributes, tags, an http subscription confirmed through its SubscribeURL,
// Publish with attributes arriving at a node HTTP receiver, an alarm action arriving through
// the topic, Unsubscribe and DeleteTopic, and SNS's error codes. vigil runs with --clock manual;
// POST /_vigil/clock returns once the deliveries due by then were attempted.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import {
  SNSClient,
  CreateTopicCommand,
  ListTopicsCommand,
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  ListSubscriptionsByTopicCommand,
  GetSubscriptionAttributesCommand,
  PublishCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
  UnsubscribeCommand,
  DeleteTopicCommand,
} from "@aws-sdk/client-sns";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { vigil, startServer, stopServer, withLog } from "./server.mjs";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/EXAMPLEKEY" };
const sns = () => new SNSClient({ endpoint: vigil.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const cw = () => new CloudWatchClient({ endpoint: vigil.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

async function flush() {
  const res = await fetch(`${vigil.endpoint}/_vigil/clock`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ advance: 0 }),
  });
  assert.equal(res.status, 200, await res.clone().text());
}

// A receiver that records every POST.
const received = [];
const receiver = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", () => {
    received.push({ headers: req.headers, body });
    res.writeHead(200).end();
  });
});
function take() {
  return received.splice(0, received.length);
}

before(async () => {
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  await startServer(["--clock", "manual"], "vigil-js-sns-");
});

after(async () => {
  await stopServer();
  receiver.close();
});

const name = `js-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

test("topics, subscription confirmation, publish and an alarm action", withLog(async () => {
  const c = sns();
  const { TopicArn } = await c.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: "JS" } }));
  assert.equal(TopicArn, `arn:aws:sns:us-east-1:123456789012:${name}`);
  // Idempotent.
  assert.equal((await c.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: "JS" } }))).TopicArn, TopicArn);
  const topics = (await c.send(new ListTopicsCommand({}))).Topics.map((t) => t.TopicArn);
  assert.ok(topics.includes(TopicArn));
  await c.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: "JS2" }));
  const attrs = (await c.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes;
  assert.equal(attrs.DisplayName, "JS2");
  assert.equal(attrs.TopicArn, TopicArn);
  await c.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: "team", Value: "ops" }] }));
  assert.deepEqual((await c.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags,
    [{ Key: "team", Value: "ops" }]);

  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  const sub = await c.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: url, ReturnSubscriptionArn: true }));
  await flush();
  const [conf] = take();
  assert.equal(conf.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
  const confirmation = JSON.parse(conf.body);
  const confirmed = await fetch(confirmation.SubscribeURL);
  assert.equal(confirmed.status, 200);
  const subAttrs = (await c.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }))).Attributes;
  assert.equal(subAttrs.PendingConfirmation, "false");
  const listed = (await c.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions;
  assert.deepEqual(listed.map((s) => s.SubscriptionArn), [sub.SubscriptionArn]);

  const { MessageId } = await c.send(new PublishCommand({
    TopicArn, Message: "hello from js", Subject: "js",
    MessageAttributes: { n: { DataType: "Number", StringValue: "42" } },
  }));
  await flush();
  const [note] = take();
  assert.equal(note.headers["x-amz-sns-message-id"], MessageId);
  const m = JSON.parse(note.body);
  assert.equal(m.Message, "hello from js");
  assert.deepEqual(m.MessageAttributes, { n: { Type: "Number", Value: "42" } });

  // An alarm whose action is the topic.
  await cw().send(new PutMetricAlarmCommand({
    AlarmName: name, Namespace: name, MetricName: "m", Statistic: "Maximum", Period: 60,
    EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold", AlarmActions: [TopicArn],
  }));
  await cw().send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "ALARM", StateReason: "from js" }));
  await flush();
  const [alarm] = take();
  const am = JSON.parse(alarm.body);
  assert.equal(am.Subject, `ALARM: "${name}" in US East (N. Virginia)`);
  assert.equal(JSON.parse(am.Message).NewStateReason, "from js");

  await c.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
  await c.send(new PublishCommand({ TopicArn, Message: "nobody listens" }));
  await flush();
  assert.deepEqual(take(), []);
  await c.send(new DeleteTopicCommand({ TopicArn }));
  await assert.rejects(c.send(new PublishCommand({ TopicArn, Message: "gone" })),
    (e) => e.name === "NotFoundException" || e.name === "NotFound");
}));
