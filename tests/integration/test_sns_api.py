"""The SNS-compatible API through the real binary with boto3's ``sns`` client and the aws cli
(``aws sns ... --endpoint-url``): topics, attributes, subscriptions (auto-confirmed and pending),
the unsigned GETs a receiver sends to SubscribeURL/UnsubscribeURL, tags, Publish, SNS's errors,
and topics surviving a restart. Delivery itself is test_sns_delivery.py's."""

import json
import re
import unittest
import urllib.parse
import uuid

from harness import ModuleServer, VigilServer, aws_cli, http_get, http_post, sns_client
from vigiltest import VigilTestCase

# Auto-confirm: http/https subscriptions are confirmed at once (no receiver needed).
SERVER = ModuleServer(extra_args=("--sns-auto-confirm",))
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

ACCOUNT = "123456789012"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"


def sns_cli(endpoint, *args):
    return aws_cli(*args, endpoint=endpoint, service="sns")


class SnsApiTest(VigilTestCase):
    module_server = SERVER
    protocol = "query"  # SNS speaks Query only

    def setUp(self):
        super().setUp()
        self.sns = sns_client(self.endpoint)

    def topic_name(self):
        return f"it-{uuid.uuid4().hex[:12]}"

    def create(self, **kwargs):
        name = kwargs.pop("Name", None) or self.topic_name()
        return self.sns.create_topic(Name=name, **kwargs)["TopicArn"]

    def test_create_topic_is_idempotent(self):
        name = self.topic_name()
        arn = self.sns.create_topic(Name=name, Attributes={"DisplayName": "Ops"},
                                    Tags=[{"Key": "team", "Value": "ops"}])["TopicArn"]
        self.assertEqual(arn, f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}")
        self.assertEqual(self.sns.create_topic(Name=name)["TopicArn"], arn)
        self.assertEqual(self.sns.create_topic(Name=name, Attributes={"DisplayName": "Ops"})
                         ["TopicArn"], arn)
        self.assertClientError(self.sns.create_topic, "InvalidParameter", 400,
                               message="Invalid parameter: Attributes Reason: Topic already "
                                       "exists with different attributes",
                               Name=name, Attributes={"DisplayName": "Other"})
        self.assertClientError(self.sns.create_topic, "InvalidParameter", 400,
                               message="Invalid parameter: Topic Name", Name="bad.name")

    def test_topic_attributes(self):
        arn = self.create()
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(set(attrs), {"DisplayName", "EffectiveDeliveryPolicy", "Owner", "Policy",
                                      "SubscriptionsConfirmed", "SubscriptionsDeleted",
                                      "SubscriptionsPending", "TopicArn"})
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["Owner"], ACCOUNT)
        self.assertEqual(json.loads(attrs["Policy"])["Statement"][0]["Resource"], arn)
        effective = json.loads(attrs["EffectiveDeliveryPolicy"])
        self.assertEqual(effective["http"]["defaultHealthyRetryPolicy"]["numRetries"], 3)
        policy = {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 1,
                                                         "maxDelayTarget": 10,
                                                         "numRetries": 5}}}
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy",
                                      AttributeValue=json.dumps(policy))
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                                      AttributeValue="Alerts & <more>")
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]), policy)
        self.assertEqual(attrs["DisplayName"], "Alerts & <more>")
        self.assertEqual(json.loads(attrs["EffectiveDeliveryPolicy"])["http"]
                         ["defaultHealthyRetryPolicy"]["numRetries"], 5)
        self.assertClientError(self.sns.set_topic_attributes, "InvalidParameter", 400,
                               message_contains="Invalid parameter: DeliveryPolicy",
                               TopicArn=arn, AttributeName="DeliveryPolicy",
                               AttributeValue='{"http":{"defaultHealthyRetryPolicy":'
                                              '{"numRetries":1000}}}')

    def test_not_found_and_delete(self):
        arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:{self.topic_name()}"
        err = self.assertClientError(self.sns.get_topic_attributes, "NotFound", 404,
                                     message="Topic does not exist", TopicArn=arn)
        self.assertEqual(err["Error"]["Type"], "Sender")
        self.sns.delete_topic(TopicArn=arn)  # an unknown topic: succeeds, as SNS
        arn = self.create()
        self.sns.delete_topic(TopicArn=arn)
        self.assertClientError(self.sns.publish, "NotFound", 404, TopicArn=arn, Message="m")

    def test_list_topics_paginates(self):
        mine = {self.create() for _ in range(3)}
        seen = []
        for page in self.sns.get_paginator("list_topics").paginate():
            seen += [t["TopicArn"] for t in page["Topics"]]
        self.assertTrue(mine <= set(seen))
        self.assertEqual(len(seen), len(set(seen)))

    def test_subscriptions(self):
        arn = self.create()
        http = self.sns.subscribe(TopicArn=arn, Protocol="http",
                                  Endpoint="http://127.0.0.1:9/hook",
                                  Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        self.assertTrue(http.startswith(arn + ":"), http)
        lam = self.sns.subscribe(TopicArn=arn, Protocol="lambda",
                                 Endpoint=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f",
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertTrue(lam.startswith(arn + ":"), lam)
        # The same endpoint again is the same subscription.
        self.assertEqual(self.sns.subscribe(TopicArn=arn, Protocol="http",
                                            Endpoint="http://127.0.0.1:9/hook")
                         ["SubscriptionArn"], http)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(sorted(s["SubscriptionArn"] for s in subs), sorted([http, lam]))
        self.assertEqual({s["Owner"] for s in subs}, {ACCOUNT})
        listed = []
        for page in self.sns.get_paginator("list_subscriptions").paginate():
            listed += [s["SubscriptionArn"] for s in page["Subscriptions"]]
        self.assertIn(http, listed)

        attrs = self.sns.get_subscription_attributes(SubscriptionArn=http)["Attributes"]
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(attrs["PendingConfirmation"], "false")
        self.assertEqual(attrs["Protocol"], "http")
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertIn("EffectiveDeliveryPolicy", attrs)
        self.sns.set_subscription_attributes(SubscriptionArn=http,
                                             AttributeName="RawMessageDelivery",
                                             AttributeValue="false")
        policy = {"healthyRetryPolicy": {"minDelayTarget": 2, "maxDelayTarget": 2,
                                         "numRetries": 4}}
        self.sns.set_subscription_attributes(SubscriptionArn=http, AttributeName="DeliveryPolicy",
                                             AttributeValue=json.dumps(policy))
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=http)["Attributes"]
        self.assertEqual(attrs["RawMessageDelivery"], "false")
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]), policy)
        self.assertEqual(json.loads(attrs["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]
                         ["numRetries"], 4)
        self.assertClientError(self.sns.set_subscription_attributes, "InvalidParameter", 400,
                               message="Invalid parameter: Attributes Reason: RawMessageDelivery:"
                                       " Invalid value [maybe]. Must be true or false.",
                               SubscriptionArn=http, AttributeName="RawMessageDelivery",
                               AttributeValue="maybe")

        self.sns.unsubscribe(SubscriptionArn=lam)
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsDeleted"]),
                         ("1", "1"))
        self.assertClientError(self.sns.get_subscription_attributes, "NotFound", 404,
                               message="Subscription does not exist", SubscriptionArn=lam)

    def test_subscribe_errors(self):
        arn = self.create()
        self.assertClientError(self.sns.subscribe, "InvalidParameter", 400,
                               message="Invalid parameter: Endpoint must match the specified "
                                       "protocol",
                               TopicArn=arn, Protocol="https", Endpoint="http://example.com/")
        self.assertClientError(self.sns.subscribe, "InvalidParameter", 400,
                               message_contains="does not support this protocol string",
                               TopicArn=arn, Protocol="pigeon", Endpoint="x")
        self.assertClientError(self.sns.subscribe, "InvalidParameter", 400,
                               message="Invalid parameter: Lambda endpoint ARN",
                               TopicArn=arn, Protocol="lambda", Endpoint="http://x/")

    def test_unsigned_get_unsubscribe_and_confirm(self):
        arn = self.create()
        sub = self.sns.subscribe(TopicArn=arn, Protocol="https",
                                 Endpoint="https://example.com/x")["SubscriptionArn"]
        # As a receiver follows UnsubscribeURL: GET, no signature, no Version.
        status, _, body = http_get(self.endpoint, "/?Action=Unsubscribe&SubscriptionArn=" + sub)
        self.assertEqual(status, 200, body)
        self.assertIn(SNS_XMLNS.encode(), body)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"], [])
        # SubscribeURL with a token that confirms nothing.
        query = urllib.parse.urlencode({"Action": "ConfirmSubscription", "TopicArn": arn,
                                        "Token": "00" * 128})
        status, _, body = http_get(self.endpoint, "/?" + query)
        self.assertEqual(status, 400, body)
        self.assertIn(b"<Code>InvalidParameter</Code><Message>Invalid token</Message>", body)

    def test_tags(self):
        arn = self.create()
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                                     {"Key": "b", "Value": "2"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        missing = f"arn:aws:sns:us-east-1:{ACCOUNT}:{self.topic_name()}"
        self.assertClientError(self.sns.list_tags_for_resource, "ResourceNotFound", 404,
                               ResourceArn=missing)
        self.assertClientError(self.sns.tag_resource, "TagLimitExceeded", 400,
                               ResourceArn=arn,
                               Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])

    def test_cloudwatch_tags_still_cloudwatch(self):
        # TagResource exists in both services: CloudWatch's client still reaches CloudWatch.
        cw = self.client("query")
        self.assertClientError(cw.list_tags_for_resource, "InvalidParameterValue", 400,
                               ResourceARN=f"arn:aws:sns:us-east-1:{ACCOUNT}:t")

    def test_publish_errors(self):
        arn = self.create()
        self.assertClientError(self.sns.publish, "InvalidParameter", 400,
                               message="Invalid parameter: Subject",
                               TopicArn=arn, Message="m", Subject="s" * 101)
        self.assertClientError(self.sns.publish, "InvalidParameter", 400,
                               message="Invalid parameter: Empty message",
                               TopicArn=arn, Message="")
        self.assertClientError(self.sns.publish, "ParameterValueInvalid", 400,
                               TopicArn=arn, Message="m",
                               MessageAttributes={"n": {"DataType": "Number",
                                                        "StringValue": "many"}})
        self.assertClientError(self.sns.publish, "InvalidParameter", 400,
                               message="Invalid parameter: Message Structure - No default entry "
                                       "in JSON message body",
                               TopicArn=arn, Message='{"http":"x"}', MessageStructure="json")

    def test_publish_returns_message_id(self):
        # Needs delivery (the MessageSink) wired into the server.
        arn = self.create()
        resp = self.sns.publish(TopicArn=arn, Message="hello", Subject="greeting",
                                MessageAttributes={"k": {"DataType": "String",
                                                         "StringValue": "v"},
                                                   "b": {"DataType": "Binary",
                                                         "BinaryValue": b"\x00\x01"}})
        self.assertRegex(resp["MessageId"], UUID_RE)
        resp = self.sns.publish(TargetArn=arn, Message='{"default":"d","http":"h"}',
                                MessageStructure="json")
        self.assertRegex(resp["MessageId"], UUID_RE)

    def test_aws_cli(self):
        name = self.topic_name()
        r = sns_cli(self.endpoint, "create-topic", "--name", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        arn = json.loads(r.stdout)["TopicArn"]
        self.assertEqual(arn, f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}")
        r = sns_cli(self.endpoint, "list-topics")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(arn, [t["TopicArn"] for t in json.loads(r.stdout)["Topics"]])
        r = sns_cli(self.endpoint, "subscribe", "--topic-arn", arn, "--protocol", "http",
                    "--notification-endpoint", "http://127.0.0.1:9/cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(json.loads(r.stdout)["SubscriptionArn"].startswith(arn + ":"))
        r = sns_cli(self.endpoint, "get-topic-attributes", "--topic-arn", arn + "-missing")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NotFound", r.stderr)
        self.assertIn("Topic does not exist", r.stderr)
        # Needs delivery (the MessageSink) wired into the server.
        r = sns_cli(self.endpoint, "publish", "--topic-arn", arn, "--message", "from the cli",
                    "--subject", "cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(json.loads(r.stdout)["MessageId"], UUID_RE)


class PendingAndRestartTest(VigilTestCase):
    """Without --sns-auto-confirm: http subscriptions wait for confirmation. Topics and
    subscriptions survive a restart (they live in <data-dir>/state)."""

    protocol = "query"

    @classmethod
    def setUpClass(cls):
        cls.server = VigilServer()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()

    @property
    def endpoint(self):
        return self.server.endpoint

    def test_pending_then_restart(self):
        sns = sns_client(self.endpoint)
        arn = sns.create_topic(Name="durable", Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
        lam = sns.subscribe(TopicArn=arn, Protocol="lambda",
                            Endpoint=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f")
        lam = lam["SubscriptionArn"]
        # Needs delivery (the MessageSink) to queue the SubscriptionConfirmation.
        pending = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint="http://127.0.0.1:9/p")
        self.assertEqual(pending["SubscriptionArn"], "pending confirmation")
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(sorted(s["SubscriptionArn"] for s in subs),
                         sorted([lam, "PendingConfirmation"]))

        self.server.stop()
        self.server.start()
        sns = sns_client(self.endpoint)
        self.assertIn(arn, [t["TopicArn"] for t in sns.list_topics()["Topics"]])
        self.assertEqual(sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "k", "Value": "v"}])
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]),
                         ("1", "1"))
        self.assertEqual(sns.get_subscription_attributes(SubscriptionArn=lam)["Attributes"]
                         ["Endpoint"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f")

        # POST /_vigil/reset forgets them.
        status, _, _ = http_post(self.endpoint, "/_vigil/reset")
        self.assertEqual(status, 200)
        self.assertEqual(sns.list_topics()["Topics"], [])


if __name__ == "__main__":
    unittest.main()
