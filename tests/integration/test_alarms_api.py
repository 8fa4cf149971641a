"""The alarm management operations through boto3 in the three protocols: composite alarms (the
recorded creation reason and StateReasonData, propagation, cycles, ActionsSuppressor),
DescribeAlarms filters and paging, DescribeAlarmsForMetric, DescribeAlarmHistory (types, dates,
ScanBy, paging), DeleteAlarms, tags on alarm ARNs (recorded answers) and alarm mute rules.
The server runs on the manual clock; nothing sleeps."""

import json
import time
import unittest

from harness import ModuleServer, sns_client
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer(clock="manual")
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

TOPIC = "arn:aws:sns:us-east-1:123456789012:topic"


def arn(name):
    return f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"


@for_each_protocol(SERVER)
class _AlarmApi:
    server = property(lambda self: self.module_server.server)

    def metric_alarm(self, c, name, ns="ns", metric="m", **extra):
        kwargs = dict(AlarmName=name, Namespace=ns, MetricName=metric, Statistic="Maximum",
                      Period=60, EvaluationPeriods=1, Threshold=1.0,
                      ComparisonOperator="GreaterThanThreshold")
        kwargs.update(extra)
        c.put_metric_alarm(**kwargs)

    def composite(self, c, name):
        resp = c.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])
        self.assertEqual(len(resp["CompositeAlarms"]), 1)
        return resp["CompositeAlarms"][0]

    def test_composite_created_reason_and_child_changes(self):
        c = self.client()
        p = self.namespace()
        c1, c2, comp = f"{p}-c1", f"{p}-c2", f"{p}-comp"
        self.metric_alarm(c, c1)
        self.metric_alarm(c, c2)
        rule = f'ALARM("{arn(c1)}") OR ALARM("{arn(c2)}")'
        c.put_composite_alarm(AlarmName=comp, AlarmRule=rule, AlarmActions=[TOPIC],
                              AlarmDescription="composite alarm description")
        a = self.composite(c, comp)
        self.assertEqual(a["AlarmRule"], rule)
        self.assertEqual(a["StateValue"], "OK")
        self.assertEqual(a["StateReason"],
                         f"{arn(comp)} was created and its alarm rule evaluates to OK")
        data = json.loads(a["StateReasonData"])
        self.assertEqual([t["arn"] for t in data["triggeringAlarms"]], [arn(c1), arn(c2)])
        self.assertEqual({t["state"]["value"] for t in data["triggeringAlarms"]},
                         {"INSUFFICIENT_DATA"})
        self.assertNotIn("ActionsSuppressor", a)
        self.assertEqual(set(a), {
            "ActionsEnabled", "AlarmActions", "AlarmArn", "AlarmConfigurationUpdatedTimestamp",
            "AlarmDescription", "AlarmName", "AlarmRule", "InsufficientDataActions",
            "OKActions", "StateReason", "StateReasonData", "StateTransitionedTimestamp",
            "StateUpdatedTimestamp", "StateValue"})
        # The recorded sequence: only the child that flipped the composite is listed.
        steps = [(c1, "ALARM", "ALARM", c1), (c1, "OK", "OK", c1), (c2, "ALARM", "ALARM", c2),
                 (c2, "OK", "OK", c2)]
        for child, state, want, trigger in steps:
            c.set_alarm_state(AlarmName=child, StateValue=state, StateReason="test")
            a = self.composite(c, comp)
            self.assertEqual(a["StateValue"], want, (child, state))
            data = json.loads(a["StateReasonData"])
            self.assertEqual([t["arn"] for t in data["triggeringAlarms"]], [arn(trigger)])
            self.assertEqual(data["triggeringAlarms"][0]["state"]["value"], state)
        c.set_alarm_state(AlarmName=c1, StateValue="ALARM", StateReason="test")
        c.set_alarm_state(AlarmName=c2, StateValue="ALARM", StateReason="test")
        data = json.loads(self.composite(c, comp)["StateReasonData"])
        self.assertEqual([t["arn"] for t in data["triggeringAlarms"]], [arn(c1)])
        history = c.describe_alarm_history(AlarmName=comp, AlarmTypes=["CompositeAlarm"],
                                           HistoryItemType="StateUpdate")["AlarmHistoryItems"]
        self.assertEqual(len(history), 6)
        self.assertEqual({h["AlarmType"] for h in history}, {"CompositeAlarm"})
        # Metric-only history by default.
        self.assertEqual(c.describe_alarm_history(AlarmName=comp)["AlarmHistoryItems"], [])
        # Children and parents.
        kids = c.describe_alarms(ChildrenOfAlarmName=comp)
        self.assertEqual(sorted(x["AlarmName"] for x in kids["MetricAlarms"]), [c1, c2])
        parents = c.describe_alarms(ParentsOfAlarmName=c1)
        self.assertEqual([x["AlarmName"] for x in parents["CompositeAlarms"]], [comp])

    def test_composite_errors(self):
        c = self.client()
        p = self.namespace()
        self.metric_alarm(c, f"{p}-a")
        self.assertClientError(c.put_composite_alarm, "ValidationError", 400,
                               message_contains="do not exist",
                               AlarmName=f"{p}-x", AlarmRule=f"ALARM({p}-missing)")
        self.assertClientError(c.put_composite_alarm, "ValidationError", 400,
                               message_contains="Error in AlarmRule",
                               AlarmName=f"{p}-x", AlarmRule=f"ALARM({p}-a) AND")
        c.put_composite_alarm(AlarmName=f"{p}-x", AlarmRule=f"ALARM({p}-a)")
        c.put_composite_alarm(AlarmName=f"{p}-y", AlarmRule=f"OK({p}-x)")
        self.assertClientError(c.delete_alarms, "ValidationError", 400,
                               message_contains="composite alarm(s) depending on it",
                               AlarmNames=[f"{p}-a"])
        # A rule closing a cycle is accepted (as AWS does); a change reaching it terminates.
        c.put_composite_alarm(AlarmName=f"{p}-x", AlarmRule=f"ALARM({p}-a) OR ALARM({p}-y)")
        c.set_alarm_state(AlarmName=f"{p}-a", StateValue="ALARM", StateReason="test")
        states = {a["AlarmName"]: a["StateValue"] for a in c.describe_alarms(
            AlarmNames=[f"{p}-x", f"{p}-y"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]}
        # y = OK(x) went to OK when x entered ALARM; the change stopped at the cycle.
        self.assertEqual(states, {f"{p}-x": "ALARM", f"{p}-y": "OK"})
        c.delete_alarms(AlarmNames=[f"{p}-y", f"{p}-x", f"{p}-a"])
        resp = c.describe_alarms(AlarmNamePrefix=p, AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        self.assertEqual((resp["MetricAlarms"], resp["CompositeAlarms"]), ([], []))

    def test_actions_suppressor(self):
        c = self.client()
        p = self.namespace()
        self.metric_alarm(c, f"{p}-child")
        self.metric_alarm(c, f"{p}-maint")
        c.put_composite_alarm(AlarmName=f"{p}-comp", AlarmRule=f"ALARM({p}-child)",
                              AlarmActions=[TOPIC], ActionsSuppressor=f"{p}-maint",
                              ActionsSuppressorWaitPeriod=60,
                              ActionsSuppressorExtensionPeriod=60)
        a = self.composite(c, f"{p}-comp")
        self.assertEqual((a["ActionsSuppressor"], a["ActionsSuppressorWaitPeriod"],
                          a["ActionsSuppressorExtensionPeriod"]), (f"{p}-maint", 60, 60))
        c.set_alarm_state(AlarmName=f"{p}-maint", StateValue="ALARM", StateReason="maintenance")
        c.set_alarm_state(AlarmName=f"{p}-child", StateValue="ALARM", StateReason="broken")
        a = self.composite(c, f"{p}-comp")
        self.assertEqual((a["StateValue"], a["ActionsSuppressedBy"]), ("ALARM", "Alarm"))
        actions = c.describe_alarm_history(AlarmName=f"{p}-comp", AlarmTypes=["CompositeAlarm"],
                                           HistoryItemType="Action")["AlarmHistoryItems"]
        self.assertEqual(actions, [])

    def test_describe_paging_and_for_metric(self):
        c = self.client()
        p = self.namespace()
        dims = [{"Name": "Host", "Value": "h1"}]
        for i in range(7):
            self.metric_alarm(c, f"{p}-{i}", ns=p, metric="cpu" if i < 3 else "mem",
                              Dimensions=dims if i == 0 else [])
        names, token = [], None
        for _ in range(10):
            kwargs = {"AlarmNamePrefix": p, "MaxRecords": 3}
            if token:
                kwargs["NextToken"] = token
            resp = c.describe_alarms(**kwargs)
            self.assertLessEqual(len(resp["MetricAlarms"]), 3)
            names += [a["AlarmName"] for a in resp["MetricAlarms"]]
            token = resp.get("NextToken")
            if not token:
                break
        self.assertEqual(names, [f"{p}-{i}" for i in range(7)])
        self.assertClientError(c.describe_alarms, "InvalidNextToken", 400, NextToken="bogus")
        resp = c.describe_alarms_for_metric(Namespace=p, MetricName="cpu")
        self.assertEqual(sorted(a["AlarmName"] for a in resp["MetricAlarms"]),
                         [f"{p}-0", f"{p}-1", f"{p}-2"])
        self.assertNotIn("CompositeAlarms", resp)
        resp = c.describe_alarms_for_metric(Namespace=p, MetricName="cpu", Dimensions=dims)
        self.assertEqual([a["AlarmName"] for a in resp["MetricAlarms"]], [f"{p}-0"])

    def test_history_filters_and_paging(self):
        c = self.client()
        p = self.namespace()
        name = f"{p}-h"
        start = int(time.time()) // 60 * 60 - 3600
        self.server.set_clock(start)
        # ignore: the minute evaluations the clock moves run keep the forced states.
        self.metric_alarm(c, name, AlarmActions=[TOPIC], TreatMissingData="ignore")
        for i, state in enumerate(["ALARM", "OK", "ALARM", "OK"]):
            self.server.set_clock(start + 60 * (i + 1))
            c.set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"step {i}")
        items = c.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
        self.assertEqual([i["HistoryItemType"] for i in items],
                         ["StateUpdate", "Action", "StateUpdate", "StateUpdate", "Action",
                          "StateUpdate", "ConfigurationUpdate"])
        asc = c.describe_alarm_history(AlarmName=name, ScanBy="TimestampAscending",
                                       HistoryItemType="StateUpdate")["AlarmHistoryItems"]
        self.assertEqual([json.loads(i["HistoryData"])["newState"]["stateReason"] for i in asc],
                         ["step 0", "step 1", "step 2", "step 3"])
        window = c.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate",
                                          StartDate=ts(start + 120), EndDate=ts(start + 180))
        self.assertEqual(len(window["AlarmHistoryItems"]), 2)
        got, token = [], None
        for _ in range(10):
            kwargs = {"AlarmName": name, "MaxRecords": 2}
            if token:
                kwargs["NextToken"] = token
            resp = c.describe_alarm_history(**kwargs)
            got += resp["AlarmHistoryItems"]
            token = resp.get("NextToken")
            if not token:
                break
        self.assertEqual(got, items)

    def test_tags(self):
        c = self.client()
        p = self.namespace()
        name = f"{p}-tagged"
        self.metric_alarm(c, name, Tags=[{"Key": "tag1", "Value": "foo"}])
        a = arn(name)
        self.assertEqual(c.list_tags_for_resource(ResourceARN=a)["Tags"],
                         [{"Key": "tag1", "Value": "foo"}])
        c.tag_resource(ResourceARN=a, Tags=[{"Key": "tag2", "Value": "bar"}])
        tags = c.list_tags_for_resource(ResourceARN=a)["Tags"]
        self.assertEqual(sorted(tags, key=lambda t: t["Key"]),
                         [{"Key": "tag1", "Value": "foo"}, {"Key": "tag2", "Value": "bar"}])
        c.untag_resource(ResourceARN=a, TagKeys=["tag1"])
        self.assertEqual(c.list_tags_for_resource(ResourceARN=a)["Tags"],
                         [{"Key": "tag2", "Value": "bar"}])
        c.delete_alarms(AlarmNames=[name])
        self.assertEqual(c.list_tags_for_resource(ResourceARN=a)["Tags"], [])

    def test_mute_rules(self):
        c = self.client()
        p = self.namespace()
        alarm = f"{p}-muted"
        now = int(time.time()) // 60 * 60
        self.server.set_clock(now)
        # The action's topic exists, so the unmuted action below succeeds.
        sns_client(self.endpoint).create_topic(Name="topic")
        self.metric_alarm(c, alarm, AlarmActions=[TOPIC])
        c.put_alarm_mute_rule(Name=f"{p}-rule",
                              Rule={"Schedule": {"Expression": "cron(* * * * *)",
                                                 "Duration": "PT1H"}},
                              MuteTargets={"AlarmNames": [alarm]})
        got = c.get_alarm_mute_rule(AlarmMuteRuleName=f"{p}-rule")
        self.assertEqual(got["Status"], "ACTIVE")
        self.assertEqual(got["MuteType"], "RECURRING")
        self.assertEqual(got["MuteTargets"], {"AlarmNames": [alarm]})
        listed = c.list_alarm_mute_rules(AlarmName=alarm)["AlarmMuteRuleSummaries"]
        self.assertEqual([r["AlarmMuteRuleArn"] for r in listed], [got["AlarmMuteRuleArn"]])
        c.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="while muted")
        actions = c.describe_alarm_history(AlarmName=alarm,
                                           HistoryItemType="Action")["AlarmHistoryItems"]
        self.assertEqual(len(actions), 1)
        self.assertIn("muted", actions[0]["HistorySummary"])
        c.delete_alarm_mute_rule(AlarmMuteRuleName=f"{p}-rule")
        self.assertClientError(c.get_alarm_mute_rule, "ResourceNotFoundException", 404,
                               AlarmMuteRuleName=f"{p}-rule")
        c.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="x")
        c.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="unmuted")
        actions = c.describe_alarm_history(AlarmName=alarm,
                                           HistoryItemType="Action")["AlarmHistoryItems"]
        self.assertEqual(len(actions), 2)
        self.assertIn("Successfully executed action", actions[0]["HistorySummary"])


if __name__ == "__main__":
    unittest.main()
