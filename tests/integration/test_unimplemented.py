"""Every operation of the model that vigil does not implement yet answers HTTP 501 with code
NotImplemented and a message naming the operation, in each protocol.

The inputs are generated from the botocore model (required members only, smallest valid values)
so that the request is valid and the answer cannot be a validation error. When an operation
gets implemented, move it into IMPLEMENTED (and give it its own tests)."""

import datetime as dt
import unittest

from botocore import xform_name
from botocore.exceptions import ClientError

from harness import ModuleServer
from vigiltest import for_each_protocol

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

IMPLEMENTED = {"PutMetricData", "ListMetrics", "GetMetricStatistics", "GetMetricData",
               # the alarm engine (test_alarms*.py)
               "PutMetricAlarm", "PutCompositeAlarm", "DescribeAlarms", "DescribeAlarmsForMetric",
               "DeleteAlarms", "SetAlarmState", "EnableAlarmActions", "DisableAlarmActions",
               "DescribeAlarmHistory", "TagResource", "UntagResource", "ListTagsForResource",
               "PutAlarmMuteRule", "GetAlarmMuteRule", "ListAlarmMuteRules",
               "DeleteAlarmMuteRule",
               # anomaly detectors (test_anomaly.py)
               "PutAnomalyDetector", "DescribeAnomalyDetectors", "DeleteAnomalyDetector"}


def minimal_value(shape, depth=0):
    kind = shape.type_name
    if kind == "structure":
        if depth > 6:
            return {}
        return {name: minimal_value(shape.members[name], depth + 1)
                for name in shape.required_members}
    if kind == "list":
        count = shape.metadata.get("min", 0)
        return [minimal_value(shape.member, depth + 1) for _ in range(count)]
    if kind == "map":
        return {}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return "x" * max(shape.metadata.get("min", 1), 1)
    if kind in ("integer", "long"):
        return max(int(shape.metadata.get("min", 1)), 1)
    if kind in ("double", "float"):
        return max(float(shape.metadata.get("min", 1.0)), 1.0)
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return dt.datetime.now(dt.timezone.utc)
    if kind == "blob":
        return b"x"
    raise AssertionError(f"unhandled shape type {kind}")


@for_each_protocol(SERVER)
class _Unimplemented:
    def test_every_unimplemented_operation_answers_501(self):
        c = self.client()
        model = c.meta.service_model
        pending = sorted(set(model.operation_names) - IMPLEMENTED)
        self.assertEqual(len(pending), 23, "the model changed: review IMPLEMENTED")
        for name in pending:
            with self.subTest(operation=name):
                op = model.operation_model(name)
                params = minimal_value(op.input_shape) if op.input_shape else {}
                with self.assertRaises(ClientError) as cm:
                    getattr(c, xform_name(name))(**params)
                err = cm.exception.response
                self.assertEqual(err["Error"]["Code"], "NotImplemented", err["Error"])
                self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 501)
                self.assertIn(name, err["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
