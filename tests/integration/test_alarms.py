"""The alarm engine end to end through the real binary on the manual clock (docs/alarms.md):
the two golden tables of cloudwatch-semantics.md §8 (PutMetricData at chosen timestamps, one
clock move, DescribeAlarms state), the recorded alarm shapes, reasons and history items
(aws-recorded-answers.md §2-§5), SetAlarmState and the return to the evaluated state, actions
enabled/disabled, the aws cli, and restarts that keep alarms, state and history without re-firing.

Time never comes from sleeping: every test sets the server's clock (POST /_vigil/clock), whose
answer comes back only after every evaluation that became due has run."""

import datetime as dt
import json
import time
import unittest

from harness import ModuleServer, aws_cli, http_get, http_post
from vigiltest import OwnServerTestCase, VigilTestCase, for_each_protocol, ts

SERVER = ModuleServer(clock="manual")
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

TOPIC = "arn:aws:sns:us-east-1:123456789012:alarm-topic"
OK_TOPIC = "arn:aws:sns:us-east-1:123456789012:ok-topic"

# cloudwatch-semantics.md §8, most recent on the right; "retain" = the state before evaluation.
GOLDEN_3_OF_3 = [
    ("0 - X - X", "OK", "OK", "OK", "OK"),
    ("0 - - - -", "OK", "OK", "OK", "OK"),
    ("- - - - -", "INSUFFICIENT_DATA", "ALARM", "OK", "retain"),
    ("0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("- - X - -", "ALARM", "ALARM", "OK", "retain"),
]
GOLDEN_2_OF_3 = [
    ("0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 - X - -", "OK", "ALARM", "OK", "OK"),
    ("- - - - 0", "OK", "ALARM", "OK", "OK"),
    ("- - - X -", "ALARM", "ALARM", "OK", "retain"),
]
TREATMENTS = ["missing", "breaching", "notBreaching", "ignore"]


class AlarmTestMixin:
    """Helpers: a minute-aligned evaluation instant and the clock."""

    server = property(lambda self: self.module_server.server)

    def evaluation_end(self, minutes_back: int = 10) -> int:
        """A minute boundary a little in the past (so PutMetricData accepts every point)."""
        return int(time.time()) // 60 * 60 - minutes_back * 60

    def alarm(self, c, name, ns, metric="m", n=1, m=None, treat=None, threshold=1.0,
              op="GreaterThanThreshold", period=60, statistic="Maximum", **extra):
        kwargs = dict(AlarmName=name, Namespace=ns, MetricName=metric, Statistic=statistic,
                      Period=period, EvaluationPeriods=n, Threshold=threshold,
                      ComparisonOperator=op, **extra)
        if m is not None:
            kwargs["DatapointsToAlarm"] = m
        if treat is not None:
            kwargs["TreatMissingData"] = treat
        c.put_metric_alarm(**kwargs)

    def describe(self, c, name):
        alarms = c.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        self.assertEqual(len(alarms), 1, name)
        return alarms[0]

    def history(self, c, name, **kwargs):
        return c.describe_alarm_history(AlarmName=name, **kwargs)["AlarmHistoryItems"]


@for_each_protocol(SERVER)
class _GoldenTables(AlarmTestMixin):
    """Both worked tables of §8, one alarm per (row, treatment), evaluated once at the end of the
    fifth period. Values: X = 5 (breaching, > 1), 0 = 0."""

    def run_table(self, table, n, m):
        c = self.client()
        ns = self.namespace()
        end = self.evaluation_end()
        self.server.set_clock(end - 5)
        expected = {}
        data = []
        for row, (pattern, *states) in enumerate(table):
            points = pattern.split()
            self.assertEqual(len(points), 5)
            for treat, state in zip(TREATMENTS, states):
                name = f"{ns}/r{row}/{treat}"
                metric = f"m{row}"
                self.alarm(c, name, ns, metric=metric, n=n, m=m, treat=treat)
                if state == "retain":
                    # Prove "retain": force a state the evaluation must keep.
                    c.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="forced")
                    state = "ALARM"
                expected[name] = (state, pattern)
            for i, p in enumerate(points):
                if p != "-":
                    start = end - (5 - i) * 60
                    data.append({"MetricName": metric, "Value": 5.0 if p == "X" else 0.0,
                                 "Timestamp": ts(start + 30)})
        for i in range(0, len(data), 20):
            self.put(c, ns, data[i:i + 20])
        answer = self.server.advance_clock(5)
        self.assertEqual(answer["now"], end)
        for name, (state, pattern) in expected.items():
            with self.subTest(alarm=name, data=pattern):
                self.assertEqual(self.describe(c, name)["StateValue"], state)

    def test_three_of_three_range_five(self):
        self.run_table(GOLDEN_3_OF_3, n=3, m=3)

    def test_two_of_three(self):
        self.run_table(GOLDEN_2_OF_3, n=3, m=2)


@for_each_protocol(SERVER)
class _Lifecycle(AlarmTestMixin):
    def test_minimal_alarm_shape(self):
        c = self.client()
        ns = self.namespace()
        name = f"a-{ns[-8:]}:test"  # ':' is allowed
        c.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="metric", Statistic="Sum",
                           Period=60, EvaluationPeriods=1, Threshold=30,
                           ComparisonOperator="GreaterThanThreshold")
        a = self.describe(c, name)
        self.assertEqual(set(a), {
            "ActionsEnabled", "AlarmActions", "AlarmArn", "AlarmConfigurationUpdatedTimestamp",
            "AlarmName", "ComparisonOperator", "Dimensions", "EvaluationPeriods",
            "InsufficientDataActions", "MetricName", "Namespace", "OKActions", "Period",
            "StateReason", "StateTransitionedTimestamp", "StateUpdatedTimestamp", "StateValue",
            "Statistic", "Threshold"})
        self.assertEqual(a["AlarmArn"], f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}")
        self.assertEqual(a["StateValue"], "INSUFFICIENT_DATA")
        self.assertEqual(a["StateReason"], "Unchecked: Initial alarm creation")
        self.assertIs(a["ActionsEnabled"], True)
        self.assertEqual(a["Threshold"], 30.0)
        self.assertEqual((a["AlarmActions"], a["OKActions"], a["Dimensions"]), ([], [], []))
        resp = c.describe_alarms(AlarmNames=[name])
        self.assertEqual(resp["CompositeAlarms"], [])

    def test_recorded_threshold_transition(self):
        """aws-recorded-answers.md eval_threshold: Average 21.5 over Period 10 > 21, ignore."""
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/threshold"
        end = self.evaluation_end(5)
        self.server.set_clock(end - 5)
        dims = [{"Name": "InstanceId", "Value": "abc"}]
        c.put_metric_alarm(AlarmName=name, AlarmDescription="testing cloudwatch alarms",
                           Namespace=ns, MetricName="my-metric1", Dimensions=dims,
                           Statistic="Average", Unit="Seconds", Period=10, EvaluationPeriods=1,
                           Threshold=21, ComparisonOperator="GreaterThanThreshold",
                           TreatMissingData="ignore", AlarmActions=[TOPIC], OKActions=[TOPIC])
        # High-resolution points, so the 10-second period [end - 10, end) holds both.
        self.put(c, ns, [{"MetricName": "my-metric1", "Dimensions": dims, "Value": v,
                          "Unit": "Seconds", "StorageResolution": 1,
                          "Timestamp": ts(end - 10 + 2)} for v in (21, 22)])
        self.server.advance_clock(5)
        a = self.describe(c, name)
        period_start = dt.datetime.fromtimestamp(end - 10, dt.timezone.utc)
        date = period_start.strftime("%d/%m/%y %H:%M:%S")
        reason = (f"Threshold Crossed: 1 datapoint [21.5 ({date})] was greater than the "
                  "threshold (21.0).")
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertEqual(a["StateReason"], reason)
        iso = period_start.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        data = json.loads(a["StateReasonData"])
        self.assertEqual(list(data), ["version", "queryDate", "startDate", "unit", "statistic",
                                      "period", "recentDatapoints", "threshold",
                                      "evaluatedDatapoints"])
        self.assertEqual(data["unit"], "Seconds")
        self.assertEqual(data["statistic"], "Average")
        self.assertEqual(data["period"], 10)
        self.assertEqual(data["recentDatapoints"], [21.5])
        self.assertEqual(data["threshold"], 21.0)
        self.assertEqual(data["evaluatedDatapoints"],
                         [{"timestamp": iso, "sampleCount": 2.0, "value": 21.5}])
        self.assertEqual(data["startDate"], iso)
        self.assertEqual(a["TreatMissingData"], "ignore")
        self.assertEqual(a["Unit"], "Seconds")

        items = self.history(c, name, HistoryItemType="StateUpdate")
        self.assertEqual(len(items), 1)
        item = items[0]
        self.assertEqual(item["AlarmType"], "MetricAlarm")
        self.assertEqual(item["HistorySummary"], "Alarm updated from INSUFFICIENT_DATA to ALARM")
        hd = json.loads(item["HistoryData"])
        self.assertEqual(hd, {"version": "1.0",
                              "oldState": {"stateValue": "INSUFFICIENT_DATA",
                                           "stateReason": "Unchecked: Initial alarm creation"},
                              "newState": {"stateValue": "ALARM", "stateReason": reason,
                                           "stateReasonData": data}})
        actions = self.history(c, name, HistoryItemType="Action")
        self.assertEqual(len(actions), 1, actions)
        self.assertIn(TOPIC, actions[0]["HistorySummary"])
        # Ignore: no more data, the state is retained.
        self.server.advance_clock(300)
        self.assertEqual(self.describe(c, name)["StateValue"], "ALARM")
        self.assertEqual(len(self.history(c, name, HistoryItemType="StateUpdate")), 1)

    def test_recorded_breaching_without_data(self):
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/breaching"
        end = self.evaluation_end(5)
        self.server.set_clock(end - 5)
        self.alarm(c, name, ns, metric="my-metric101", n=2, threshold=2, period=10,
                   statistic="Average", treat="breaching", Unit="Seconds")
        self.server.advance_clock(5)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertEqual(a["StateReason"],
                         "Threshold Crossed: no datapoints were received for 2 periods and 2 "
                         "missing datapoints were treated as [Breaching].")
        data = json.loads(a["StateReasonData"])
        self.assertNotIn("startDate", data)
        self.assertEqual(data["recentDatapoints"], [])
        self.assertEqual([list(p) for p in data["evaluatedDatapoints"]],
                         [["timestamp"], ["timestamp"]])

    def test_set_alarm_state_then_back_to_evaluated_state(self):
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/forced"
        end = self.evaluation_end(5)
        self.server.set_clock(end - 65)
        self.alarm(c, name, ns, n=1, AlarmActions=[TOPIC], OKActions=[OK_TOPIC])
        self.put(c, ns, [{"MetricName": "m", "Value": 0.0, "Timestamp": ts(end - 120 + 1)},
                         {"MetricName": "m", "Value": 0.0, "Timestamp": ts(end - 60 + 1)}])
        self.server.advance_clock(5)
        self.assertEqual(self.describe(c, name)["StateValue"], "OK")
        c.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing alarm")
        a = self.describe(c, name)
        self.assertEqual((a["StateValue"], a["StateReason"]), ("ALARM", "testing alarm"))
        self.assertNotIn("StateReasonData", a)
        # The same state again: no change, no action.
        c.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing alarm")
        self.server.advance_clock(60)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "OK")
        states = [json.loads(i["HistoryData"])["newState"]["stateValue"]
                  for i in self.history(c, name, HistoryItemType="StateUpdate",
                                        ScanBy="TimestampAscending")]
        self.assertEqual(states, ["OK", "ALARM", "OK"])
        actions = self.history(c, name, HistoryItemType="Action", ScanBy="TimestampAscending")
        self.assertEqual([TOPIC in i["HistorySummary"] for i in actions], [False, True, False])

    def test_set_alarm_state_errors(self):
        c = self.client()
        self.assertClientError(c.set_alarm_state, "ResourceNotFound", 404,
                               AlarmName=self.namespace(), StateValue="OK", StateReason="x")
        ns = self.namespace()
        self.alarm(c, ns, ns)
        self.assertClientError(
            c.set_alarm_state, "ValidationError", 400,
            message="1 validation error detected: Value 'INVALID' at 'stateValue' failed to "
                    "satisfy constraint: Member must satisfy enum value set: "
                    "[INSUFFICIENT_DATA, ALARM, OK]",
            AlarmName=ns, StateValue="INVALID", StateReason="x")

    def test_disabled_actions_still_change_state(self):
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/disabled"
        self.alarm(c, name, ns, AlarmActions=[TOPIC], OKActions=[TOPIC])
        c.disable_alarm_actions(AlarmNames=[name])
        self.assertIs(self.describe(c, name)["ActionsEnabled"], False)
        c.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing alarm")
        self.assertEqual(self.describe(c, name)["StateValue"], "ALARM")
        self.assertEqual(self.history(c, name, HistoryItemType="Action"), [])
        c.enable_alarm_actions(AlarmNames=[name])
        self.assertIs(self.describe(c, name)["ActionsEnabled"], True)
        c.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="testing OK state")
        self.assertEqual(len(self.history(c, name, HistoryItemType="Action")), 1)

    def test_update_keeps_state(self):
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/update"
        self.alarm(c, name, ns)
        c.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="forced")
        self.alarm(c, name, ns, threshold=7.0, AlarmDescription="now with a description")
        a = self.describe(c, name)
        self.assertEqual((a["StateValue"], a["Threshold"]), ("ALARM", 7.0))
        self.assertEqual(a["AlarmDescription"], "now with a description")
        summaries = [i["HistorySummary"] for i in
                     self.history(c, name, HistoryItemType="ConfigurationUpdate",
                                  ScanBy="TimestampAscending")]
        self.assertEqual(summaries, [f'Alarm "{name}" created', f'Alarm "{name}" updated'])

    def test_percentile_alarm_and_high_resolution_schedule(self):
        """p90 on a 10-second period: evaluated at every 10-second tick, not only minutes."""
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/p90"
        end = self.evaluation_end(5) + 30  # a 10-second tick that is not a minute
        self.server.set_clock(end - 5)
        c.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="lat",
                           ExtendedStatistic="p90", Period=10, EvaluationPeriods=1,
                           Threshold=100, ComparisonOperator="GreaterThanThreshold")
        self.put(c, ns, [{"MetricName": "lat", "Values": [float(v) for v in range(1, 201, 2)],
                          "StorageResolution": 1, "Timestamp": ts(end - 10 + 1)}])
        answer = self.server.advance_clock(5)  # runs only the 10-second tick at `end`
        self.assertEqual(answer["ticks"], 1)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "ALARM", a["StateReason"])
        self.assertEqual(a["ExtendedStatistic"], "p90")
        self.assertNotIn("Statistic", a)


@for_each_protocol(SERVER)
class _MathAlarm(AlarmTestMixin):
    def test_math_alarm_evaluates_its_expression(self):
        """errors / requests * 100 > 5: the ReturnData expression is what the alarm compares."""
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/error-rate"
        end = self.evaluation_end(5)
        self.server.set_clock(end - 5)

        def stat(qid, metric):
            return {"Id": qid, "ReturnData": False,
                    "MetricStat": {"Metric": {"Namespace": ns, "MetricName": metric},
                                   "Period": 60, "Stat": "Sum"}}
        c.put_metric_alarm(AlarmName=name, EvaluationPeriods=1, Threshold=5.0,
                           ComparisonOperator="GreaterThanThreshold",
                           Metrics=[stat("errors", "Errors"), stat("requests", "Requests"),
                                    {"Id": "rate", "Expression": "errors / requests * 100",
                                     "Label": "error rate", "ReturnData": True}])
        self.put(c, ns, [{"MetricName": "Errors", "Value": 3.0, "Timestamp": ts(end - 50)},
                         {"MetricName": "Requests", "Value": 40.0, "Timestamp": ts(end - 50)}])
        self.server.advance_clock(5)
        a = self.describe(c, name)
        self.assertEqual(a["StateValue"], "ALARM", a["StateReason"])
        self.assertIn("[7.5 (", a["StateReason"])
        self.assertEqual([m["Id"] for m in a["Metrics"]], ["errors", "requests", "rate"])


@for_each_protocol(SERVER, only=("json",))
class _Validation(AlarmTestMixin):
    def base(self, **over):
        kwargs = dict(AlarmName=self.namespace(), Namespace="ns", MetricName="m",
                      Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                      ComparisonOperator="GreaterThanThreshold")
        kwargs.update(over)
        return {k: v for k, v in kwargs.items() if v is not None}

    def test_limits(self):
        c = self.client()
        cases = [
            (dict(Period=90), "InvalidParameterValue", "Period must be 10, 20, 30"),
            (dict(Period=60, EvaluationPeriods=1441), "InvalidParameterValue",
             "EvaluationPeriods * Period must be <= 86400"),
            (dict(Period=3600, EvaluationPeriods=169), "InvalidParameterValue",
             "EvaluationPeriods * Period must be <= 604800"),
            (dict(EvaluationPeriods=2, DatapointsToAlarm=3), "ValidationError",
             "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
            (dict(ExtendedStatistic="p99"), "InvalidParameterCombination", "mutually exclusive"),
            (dict(Statistic=None, ExtendedStatistic="TM(5%:95%)"), "InvalidParameterValue",
             "not supported"),
            (dict(Threshold=None), "MissingParameter", "Threshold"),
            (dict(TreatMissingData="sometimes"), "InvalidParameterValue", "TreatMissingData"),
            (dict(AlarmName="n" * 256), "ValidationError", "alarmName"),
            (dict(AlarmDescription="d" * 1025), "ValidationError", "alarmDescription"),
        ]
        for over, code, text in cases:
            with self.subTest(**{k: str(v) for k, v in over.items()}):
                self.assertClientError(c.put_metric_alarm, code, 400, message_contains=text,
                                       **self.base(**over))
        # Accepted edges.
        c.put_metric_alarm(**self.base(Period=60, EvaluationPeriods=1440))
        c.put_metric_alarm(**self.base(Period=3600, EvaluationPeriods=168))
        c.put_metric_alarm(**self.base(Period=10, EvaluationPeriods=2, DatapointsToAlarm=2))
        c.put_metric_alarm(**self.base(Statistic=None, ExtendedStatistic="TM(10%:90%)"))
        c.put_metric_alarm(**self.base(Statistic=None, ExtendedStatistic="IQM"))

    def test_actions_limit(self):
        c = self.client()
        topics = [f"{TOPIC}-{i}" for i in range(6)]
        with self.assertRaises(Exception):
            c.put_metric_alarm(**self.base(AlarmActions=topics))
        c.put_metric_alarm(**self.base(AlarmActions=topics[:5]))

    def test_math_alarm_rules(self):
        c = self.client()
        m1 = {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "ns", "MetricName": "a"},
                                         "Period": 60, "Stat": "Sum"}, "ReturnData": True}
        m2 = {"Id": "m2", "MetricStat": {"Metric": {"Namespace": "ns", "MetricName": "b"},
                                         "Period": 60, "Stat": "Sum"}, "ReturnData": True}
        base = dict(AlarmName=self.namespace(), EvaluationPeriods=1, Threshold=1.0,
                    ComparisonOperator="GreaterThanThreshold")
        self.assertClientError(c.put_metric_alarm, "ValidationError", 400,
                               message="Exactly one element of the metrics list should return "
                                       "data.", Metrics=[m1, m2], **base)
        many = [dict(m1, Id=f"m{i}", ReturnData=(i == 0)) for i in range(11)]
        self.assertClientError(c.put_metric_alarm, "ValidationError", 400,
                               message_contains="at most 10 metrics", Metrics=many, **base)
        self.assertClientError(c.put_metric_alarm, "InvalidParameterCombination", 400,
                               Metrics=[m1], Namespace="ns", **base)
        c.put_metric_alarm(Metrics=[m1, dict(m2, ReturnData=False)], **base)
        a = c.describe_alarms(AlarmNames=[base["AlarmName"]])["MetricAlarms"][0]
        self.assertEqual([m["Id"] for m in a["Metrics"]], ["m1", "m2"])
        self.assertNotIn("MetricName", a)

    # Band alarms (ThresholdMetricId): test_band_alarms.py.


class Restart(OwnServerTestCase, AlarmTestMixin):
    """Alarms, state and history survive SIGTERM and kill -9; the evaluator resumes without
    re-running transitions (or actions) it already made."""

    server_options = {"clock": "manual"}

    server = property(lambda self: self.own)

    def run_restart(self, kill):
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/persisted"
        end = self.evaluation_end(5)
        self.own.set_clock(end - 5)
        self.alarm(c, name, ns, AlarmActions=[TOPIC], Tags=[{"Key": "team", "Value": "a"}])
        self.put(c, ns, [{"MetricName": "m", "Value": 9.0, "Timestamp": ts(end - 30)}])
        self.own.advance_clock(5)
        before = self.describe(c, name)
        self.assertEqual(before["StateValue"], "ALARM")
        history = self.history(c, name)
        self.assertEqual(len(history), 3)  # created, StateUpdate, Action
        if kill:
            self.own.kill9()
            self.own.start()
        else:
            self.own.restart()
        c = self.client()
        after = self.describe(c, name)
        for key in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                    "AlarmActions", "Threshold"):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual(self.history(c, name), history)
        tags = c.list_tags_for_resource(ResourceARN=after["AlarmArn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "a"}])
        # The clock restarts at the wall clock: go back to where we were and evaluate again.
        self.own.set_clock(end)
        self.own.advance_clock(60)
        self.assertEqual(self.describe(c, name)["StateValue"], "ALARM")
        self.assertEqual(len(self.history(c, name)), 3, "no transition or action re-fired")
        self.own.stop()

    def test_restart_keeps_alarms_state_and_history(self):
        self.run_restart(kill=False)

    def test_kill9_keeps_alarms_state_and_history(self):
        self.run_restart(kill=True)


class SystemClock(OwnServerTestCase, AlarmTestMixin):
    """On the system clock: the evaluator thread runs; POST /_vigil/alarms/evaluate evaluates now;
    POST /_vigil/clock refuses to move real time."""


    def test_evaluate_now_and_clock_refused(self):
        c = self.client()
        ns = self.namespace()
        name = f"{ns}/now"
        self.alarm(c, name, ns, n=1)
        # A point in the previous minute; its period lies in the range ending at this minute.
        self.put(c, ns, [{"MetricName": "m", "Value": 9.0,
                          "Timestamp": ts(int(time.time()) // 60 * 60 - 30)}])
        answer = self.own.evaluate_alarms()
        self.assertGreaterEqual(answer["evaluations"], 1)
        self.assertEqual(self.describe(c, name)["StateValue"], "ALARM")
        status, _, body = http_post(self.endpoint, "/_vigil/clock", b'{"advance": 60}')
        self.assertEqual(status, 409, body)
        status, _, body = http_get(self.endpoint, "/_vigil/clock")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["mode"], "system")
        self.assertEqual(self.own.stop(), 0)


class Cli(VigilTestCase, AlarmTestMixin):
    """The aws cli: put-metric-alarm, describe-alarms, set-alarm-state."""

    module_server = SERVER

    def cli(self, *args):
        result = aws_cli(*args, endpoint=self.endpoint)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def test_put_describe_set_state(self):
        ns = self.namespace()
        name = f"{ns}/cli"
        self.cli("put-metric-alarm", "--alarm-name", name, "--namespace", ns, "--metric-name",
                 "m", "--statistic", "Average", "--period", "60", "--evaluation-periods", "2",
                 "--datapoints-to-alarm", "1", "--threshold", "3", "--comparison-operator",
                 "GreaterThanOrEqualToThreshold", "--treat-missing-data", "notBreaching",
                 "--dimensions", "Name=Host,Value=h1")
        out = self.cli("describe-alarms", "--alarm-names", name)
        (a,) = out["MetricAlarms"]
        self.assertEqual(out["CompositeAlarms"], [])
        self.assertEqual((a["StateValue"], a["DatapointsToAlarm"], a["TreatMissingData"]),
                         ("INSUFFICIENT_DATA", 1, "notBreaching"))
        self.assertEqual(a["Dimensions"], [{"Name": "Host", "Value": "h1"}])
        self.cli("set-alarm-state", "--alarm-name", name, "--state-value", "ALARM",
                 "--state-reason", "from the cli")
        (a,) = self.cli("describe-alarms", "--alarm-names", name)["MetricAlarms"]
        self.assertEqual((a["StateValue"], a["StateReason"]), ("ALARM", "from the cli"))
        out = self.cli("describe-alarms", "--alarm-name-prefix", f"{ns}/",
                       "--state-value", "ALARM")
        self.assertEqual([x["AlarmName"] for x in out["MetricAlarms"]], [name])


if __name__ == "__main__":
    unittest.main()
