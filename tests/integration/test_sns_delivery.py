"""Alarm actions that arrive (docs/notifications.md), through the real binary with a real HTTP
receiver: alarm -> topic -> webhook for ALARM, OK and INSUFFICIENT_DATA actions, the subscription
confirmation (GET on SubscribeURL), signatures verified independently with the openssl cli,
Publish through boto3 and the aws cli, a receiver down for 30 minutes then up, vigil killed with
SIGKILL with messages pending, the AWS/SNS delivery metrics, and --action-webhook.

Time never comes from sleeping: the server runs on the manual clock and POST /_vigil/clock returns
only after the deliveries due by the new time have been attempted."""

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import (ModuleServer, VigilServer, aws_cli, boto3_client, external_endpoint,
                     sns_client)
from vigiltest import VigilTestCase, epoch_minute

SERVER = ModuleServer(clock="manual")
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records every POST and answers `status`; it can go
    down and come back on the same port."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.lock = threading.Lock()
        self.port = None
        self.httpd = None
        self.up()

    def up(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                           "body": body.decode()})
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def down(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def take(self, path=None):
        with self.lock:
            got = [r for r in self.requests if path is None or r["path"] == path]
            self.requests = [r for r in self.requests if r not in got]
        return got


def string_to_sign(m):
    if m["Type"] == "Notification":
        keys = ["Message", "MessageId"] + (["Subject"] if "Subject" in m else []) + \
            ["Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{m[k]}\n" for k in keys)


def verify_with_openssl(testcase, m):
    """Checks m's Signature against the certificate fetched from its SigningCertURL, with the
    openssl cli (the way a receiver written for AWS does it, independent of vigil's code)."""
    with urllib.request.urlopen(m["SigningCertURL"], timeout=5) as resp:
        cert = resp.read()
    digest = "-sha1" if m["SignatureVersion"] == "1" else "-sha256"
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("cert.pem", "pub.pem", "sig.bin", "data.txt")}
        with open(paths["cert.pem"], "wb") as f:
            f.write(cert)
        with open(paths["sig.bin"], "wb") as f:
            f.write(base64.b64decode(m["Signature"]))
        with open(paths["data.txt"], "wb") as f:
            f.write(string_to_sign(m).encode())
        subprocess.run(["openssl", "x509", "-in", paths["cert.pem"], "-pubkey", "-noout",
                        "-out", paths["pub.pem"]], check=True, capture_output=True)
        out = subprocess.run(["openssl", "dgst", digest, "-verify", paths["pub.pem"],
                              "-signature", paths["sig.bin"], paths["data.txt"]],
                             capture_output=True, text=True)
        testcase.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        testcase.assertIn("Verified OK", out.stdout)


class _Base(VigilTestCase):
    module_server = SERVER
    server = property(lambda self: self.module_server.server)

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.down)
        self.sns = sns_client(self.endpoint)

    def topic_name(self, tag):
        """A unique name SNS accepts ([A-Za-z0-9_-], at most 256)."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.namespace(tag))[-200:]

    def flush(self, seconds=0):
        """Moves the manual clock; returns after the deliveries due by then were attempted."""
        return self.server.advance_clock(seconds)

    def subscribe_confirmed(self, topic_arn, path="/hook", **attrs):
        """Subscribe, receive the SubscriptionConfirmation, confirm by GET on SubscribeURL."""
        sub = self.sns.subscribe(TopicArn=topic_arn, Protocol="http",
                                 Endpoint=self.receiver.url(path), ReturnSubscriptionArn=True,
                                 Attributes=attrs)
        self.flush()
        got = self.receiver.take(path)
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["headers"]["x-amz-sns-message-type"], "SubscriptionConfirmation")
        m = json.loads(got[0]["body"])
        verify_with_openssl(self, m)
        with urllib.request.urlopen(m["SubscribeURL"], timeout=5) as resp:
            self.assertEqual(resp.status, 200)
            self.assertIn(b"<SubscriptionArn>" + sub["SubscriptionArn"].encode(), resp.read())
        return sub["SubscriptionArn"]

    def notifications(self, path="/hook"):
        got = self.receiver.take(path)
        for r in got:
            self.assertEqual(r["headers"]["x-amz-sns-message-type"], "Notification")
        return [json.loads(r["body"]) for r in got]


class AlarmToWebhook(_Base):
    def test_alarm_ok_and_insufficient_data_actions_arrive_signed(self):
        name = "cpu-" + self.topic_name("alarm")[-12:]  # short: the subject keeps it whole
        topic = self.sns.create_topic(Name=name)["TopicArn"]
        sub_arn = self.subscribe_confirmed(topic)
        c = self.client("json")
        t = epoch_minute(-10)
        self.server.set_clock(t + 5)
        c.put_metric_alarm(AlarmName=name, Namespace=name, MetricName="cpu", Statistic="Maximum",
                           Period=60, EvaluationPeriods=1, Threshold=50,
                           ComparisonOperator="GreaterThanThreshold", AlarmActions=[topic],
                           OKActions=[topic], InsufficientDataActions=[topic],
                           AlarmDescription="cpu too high")
        self.put(c, name, [{"MetricName": "cpu", "Value": 90, "Timestamp": t}])
        self.flush(60)
        [m] = self.notifications()
        verify_with_openssl(self, m)
        self.assertEqual(m["TopicArn"], topic)
        self.assertEqual(m["Subject"], f'ALARM: "{name}" in US East (N. Virginia)')
        self.assertEqual(m["UnsubscribeURL"],
                         f"{self.endpoint}/?Action=Unsubscribe&SubscriptionArn={sub_arn}")
        msg = json.loads(m["Message"])
        self.assertEqual((msg["AlarmName"], msg["NewStateValue"], msg["OldStateValue"]),
                         (name, "ALARM", "INSUFFICIENT_DATA"))
        self.assertEqual(msg["AlarmDescription"], "cpu too high")
        self.assertEqual(msg["Region"], "US East (N. Virginia)")
        self.assertEqual(msg["Trigger"]["Statistic"], "MAXIMUM")
        self.assertEqual(msg["Trigger"]["MetricName"], "cpu")
        self.assertTrue(msg["NewStateReason"].startswith("Threshold Crossed: 1 datapoint [90.0"))
        # OK, then INSUFFICIENT_DATA.
        self.put(c, name, [{"MetricName": "cpu", "Value": 10, "Timestamp": t + 60}])
        self.flush(60)
        [ok] = self.notifications()
        self.assertEqual(json.loads(ok["Message"])["NewStateValue"], "OK")
        self.assertTrue(ok["Subject"].startswith("OK: "))
        c.set_alarm_state(AlarmName=name, StateValue="INSUFFICIENT_DATA", StateReason="test")
        self.flush()
        [nodata] = self.notifications()
        self.assertEqual(json.loads(nodata["Message"])["NewStateValue"], "INSUFFICIENT_DATA")
        self.assertTrue(nodata["Subject"].startswith("INSUFFICIENT_DATA: "))
        history = c.describe_alarm_history(AlarmName=name, HistoryItemType="Action")
        self.assertEqual(len(history["AlarmHistoryItems"]), 3)
        for item in history["AlarmHistoryItems"]:
            self.assertEqual(item["HistorySummary"], f"Successfully executed action {topic}")

    def test_nothing_is_delivered_before_confirmation(self):
        name = self.topic_name("pending")
        topic = self.sns.create_topic(Name=name)["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=self.receiver.url())
        self.flush()
        [conf] = self.receiver.take()
        self.sns.publish(TopicArn=topic, Message="before")
        self.flush()
        self.assertEqual(self.receiver.take(), [])
        token = json.loads(conf["body"])["Token"]
        self.sns.confirm_subscription(TopicArn=topic, Token=token)
        self.sns.publish(TopicArn=topic, Message="after")
        self.flush()
        self.assertEqual([m["Message"] for m in self.notifications()], ["after"])

    def test_a_missing_topic_fails_the_action(self):
        name = self.topic_name("missing")
        c = self.client("json")
        missing = f"arn:aws:sns:us-east-1:123456789012:{name}"
        c.put_metric_alarm(AlarmName=name, Namespace=name, MetricName="cpu", Statistic="Maximum",
                           Period=60, EvaluationPeriods=1, Threshold=50,
                           ComparisonOperator="GreaterThanThreshold", AlarmActions=[missing])
        c.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")
        [item] = c.describe_alarm_history(AlarmName=name,
                                          HistoryItemType="Action")["AlarmHistoryItems"]
        self.assertEqual(item["HistorySummary"],
                         f'Failed to execute action {missing}. Received error: '
                         '"Topic does not exist"')


class Publishing(_Base):
    def test_publish_with_boto3_and_the_aws_cli(self):
        name = self.topic_name("pub")
        topic = self.sns.create_topic(Name=name)["TopicArn"]
        self.subscribe_confirmed(topic)
        mid = self.sns.publish(TopicArn=topic, Message="from boto3", Subject="hi",
                               MessageAttributes={"k": {"DataType": "String",
                                                        "StringValue": "v"}})["MessageId"]
        out = aws_cli("publish", "--topic-arn", topic, "--message", "from the cli",
                      endpoint=self.endpoint, service="sns")
        self.assertEqual(out.returncode, 0, out.stderr)
        cli_mid = json.loads(out.stdout)["MessageId"]
        self.flush()
        got = {m["MessageId"]: m for m in self.notifications()}
        self.assertEqual(set(got), {mid, cli_mid})
        self.assertEqual(got[mid]["Message"], "from boto3")
        self.assertEqual(got[mid]["Subject"], "hi")
        self.assertEqual(got[mid]["MessageAttributes"], {"k": {"Type": "String", "Value": "v"}})
        self.assertEqual(got[cli_mid]["Message"], "from the cli")
        self.assertNotIn("Subject", got[cli_mid])
        for m in got.values():
            verify_with_openssl(self, m)

    def test_raw_delivery(self):
        name = self.topic_name("raw")
        topic = self.sns.create_topic(Name=name)["TopicArn"]
        self.subscribe_confirmed(topic, RawMessageDelivery="true")
        self.sns.publish(TopicArn=topic, Message='{"plain": 1}')
        self.flush()
        [r] = self.receiver.take()
        self.assertEqual(r["body"], '{"plain": 1}')

    def test_delivery_metrics_are_published_under_aws_sns(self):
        name = self.topic_name("metrics")
        topic = self.sns.create_topic(Name=name)["TopicArn"]
        self.subscribe_confirmed(topic)
        for i in range(3):
            self.sns.publish(TopicArn=topic, Message=f"m{i}")
        self.flush()
        self.assertEqual(len(self.notifications()), 3)
        c = self.client("json")
        now = float(self.flush()["now"])

        def total(metric):
            resp = c.get_metric_statistics(
                Namespace="AWS/SNS", MetricName=metric,
                Dimensions=[{"Name": "TopicName", "Value": name}],
                StartTime=now - 3600, EndTime=now + 60, Period=3600, Statistics=["Sum"])
            return sum(p["Sum"] for p in resp["Datapoints"])

        self.assertEqual(total("NumberOfMessagesPublished"), 3)
        self.assertEqual(total("NumberOfNotificationsDelivered"), 3)
        self.assertEqual(total("NumberOfNotificationsFailed"), 0)


class Outages(_Base):
    def test_receiver_down_for_30_minutes_then_up_loses_nothing(self):
        name = self.topic_name("outage")
        topic = self.sns.create_topic(Name=name)["TopicArn"]
        self.subscribe_confirmed(topic)
        self.receiver.status = 503  # failing, then down altogether
        ids = [self.sns.publish(TopicArn=topic, Message=f"m{i}")["MessageId"] for i in range(3)]
        self.flush()
        self.assertEqual(len(self.receiver.take()), 3)
        self.receiver.down()
        for _ in range(30):
            self.flush(60)
        self.receiver.status = 200
        self.receiver.up()
        for _ in range(3):
            self.flush(60)
        got = self.notifications()
        self.assertEqual(sorted(m["MessageId"] for m in got), sorted(ids))  # same ids as published
        self.assertEqual(sorted(m["Message"] for m in got), ["m0", "m1", "m2"])


@unittest.skipIf(external_endpoint(), "kills and restarts its own server")
class Kill9(unittest.TestCase):
    def test_pending_messages_survive_sigkill(self):
        receiver = Receiver()
        self.addCleanup(receiver.down)
        hook_arn = "arn:aws:sns:us-east-1:123456789012:direct-hook"
        server = VigilServer(clock="manual", extra_args=(
            "--sns-auto-confirm", "--action-webhook", f"{hook_arn}={receiver.url('/direct')}"))
        self.addCleanup(server.cleanup)
        server.start()
        sns = sns_client(server.endpoint)
        topic = sns.create_topic(Name="k9")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=receiver.url())
        receiver.status = 500
        ids = [sns.publish(TopicArn=topic, Message=f"k{i}")["MessageId"] for i in range(5)]
        cw = boto3_client("json", server.endpoint)
        cw.put_metric_alarm(AlarmName="k9", Namespace="k9", MetricName="m", Statistic="Maximum",
                            Period=60, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanThreshold", AlarmActions=[hook_arn])
        cw.set_alarm_state(AlarmName="k9", StateValue="ALARM", StateReason="before the kill")
        server.advance_clock(0)
        receiver.take()
        server.kill9()
        receiver.status = 200
        server.start()
        server.advance_clock(3600)
        got = [json.loads(r["body"]) for r in receiver.take("/hook")]
        self.assertEqual(sorted(m["MessageId"] for m in got), sorted(ids))
        direct = [json.loads(r["body"]) for r in receiver.take("/direct")]
        self.assertEqual(len(direct), 1)
        self.assertEqual(direct[0]["TopicArn"], hook_arn)
        self.assertEqual(json.loads(direct[0]["Message"])["NewStateReason"], "before the kill")
        self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
