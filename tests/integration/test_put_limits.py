"""PutMetricData validation limits (cloudwatch-semantics.md §2, aws-recorded-answers.md §1).

Clients are built with parameter validation off so that invalid input reaches the server.
Each rejection is also checked to be atomic: nothing of a rejected request is stored."""

import math
import time
import unittest

from botocore.exceptions import ClientError

from harness import ModuleServer
from vigiltest import for_each_protocol, ts

SERVER = ModuleServer()
setUpModule, tearDownModule = SERVER.setup, SERVER.teardown

VALUE_VALUES = ("The parameters MetricData.member.{n}.Value and MetricData.member.{n}.Values are "
                "mutually exclusive and you have specified both.")
VALUE_STATS = ("The parameters MetricData.member.{n}.Value and "
               "MetricData.member.{n}.StatisticValues are mutually exclusive and you have "
               "specified both.")
VALUES_COUNTS = ("The parameters MetricData.member.{n}.Values and MetricData.member.{n}.Counts "
                 "must be of the same size.")


@for_each_protocol(SERVER)
class _PutLimits:
    def setUp(self):
        super().setUp()
        self.c = self.client(validate=False)
        self.ns = self.namespace()

    def datum(self, name="m", **fields):
        return {"MetricName": name, "Timestamp": ts(self.t0), **fields}

    def reject(self, datums, code="InvalidParameterValue", namespace=None, **expect):
        """The request must fail with code and store nothing at all."""
        ns = namespace if namespace is not None else self.ns
        err = self.assertClientError(self.c.put_metric_data, code, Namespace=ns,
                                     MetricData=datums, **expect)
        if ns:
            self.assertEqual(self.list_all(self.c, Namespace=ns), [],
                             "a rejected PutMetricData must not store any of its datums")
        return err

    def accept(self, datums):
        self.put(self.c, self.ns, datums)

    # -- counts --------------------------------------------------------------------------

    def test_1000_datums_accepted_1001_rejected(self):
        self.accept([self.datum(f"m{i}", Value=1.0) for i in range(1000)])
        self.assertEqual(len(self.list_all(self.c, Namespace=self.ns)), 1000)
        self.ns = self.namespace("-over")
        self.reject([self.datum(f"m{i}", Value=1.0) for i in range(1001)])

    def test_150_values_accepted_151_rejected(self):
        self.accept([self.datum(Values=[float(v) for v in range(150)])])
        self.ns = self.namespace("-over")
        self.reject([self.datum(Values=[float(v) for v in range(151)])])
        self.reject([self.datum(Values=[float(v) for v in range(151)],
                                Counts=[1.0] * 151)])

    def test_30_dimensions_accepted_31_rejected(self):
        dims = [{"Name": f"D{i:02d}", "Value": "v"} for i in range(31)]
        self.accept([self.datum(Dimensions=dims[:30], Value=1.0)])
        self.ns = self.namespace("-over")
        # The model bounds Dimensions to 30, so AWS answers with a coral ValidationError; the
        # code for this case was not recorded, so InvalidParameterValue is tolerated.
        self.reject_either([self.datum(Dimensions=dims, Value=1.0)])

    # -- exclusive / paired fields (exact recorded messages) ------------------------------

    def test_value_and_values_are_exclusive(self):
        self.reject([self.datum(Value=1.0, Values=[1.0, 2.0])], "InvalidParameterCombination",
                    message=VALUE_VALUES.format(n=1))

    def test_value_and_statistic_values_are_exclusive(self):
        stats = {"SampleCount": 1.0, "Sum": 1.0, "Minimum": 1.0, "Maximum": 1.0}
        self.reject([self.datum(Value=1.0, StatisticValues=stats)],
                    "InvalidParameterCombination", message=VALUE_STATS.format(n=1))

    def test_values_and_counts_must_have_the_same_size(self):
        self.reject([self.datum(Values=[1.0, 2.0], Counts=[1.0, 1.0, 1.0])],
                    message=VALUES_COUNTS.format(n=1))

    def test_the_message_names_the_offending_member(self):
        good = self.datum("good", Value=1.0)
        self.reject([good, good, self.datum(Values=[1.0], Counts=[1.0, 2.0])],
                    message=VALUES_COUNTS.format(n=3))
        self.reject([good, self.datum(Value=1.0, Values=[2.0])], "InvalidParameterCombination",
                    message=VALUE_VALUES.format(n=2))

    # -- values --------------------------------------------------------------------------

    def test_non_finite_values_are_rejected(self):
        for bad in (math.nan, math.inf, -math.inf):
            with self.subTest(value=bad):
                self.reject([self.datum(Value=bad)])
                self.reject([self.datum(Values=[1.0, bad])])

    def test_values_beyond_2_to_the_360_are_rejected(self):
        self.accept([self.datum(Value=2.0 ** 359), self.datum(Value=-(2.0 ** 359))])
        self.ns = self.namespace("-over")
        for bad in (2.0 ** 361, -(2.0 ** 361), 1e300):
            with self.subTest(value=bad):
                self.reject([self.datum(Value=bad)])
                self.reject([self.datum(Values=[bad])])

    # -- timestamps ----------------------------------------------------------------------

    def test_timestamp_window_two_weeks_back_two_hours_ahead(self):
        now = int(time.time()) // 60 * 60
        self.accept([self.datum("old", Value=1.0) | {"Timestamp": ts(now - 13 * 86400)},
                     self.datum("soon", Value=1.0) | {"Timestamp": ts(now + 3600)}])
        self.assertEqual(len(self.list_all(self.c, Namespace=self.ns)), 2)
        for label, when in (("15 days ago", now - 15 * 86400), ("3 hours ahead", now + 3 * 3600),
                            ("epoch", 0)):
            with self.subTest(label):
                self.ns = self.namespace("-" + label.replace(" ", ""))
                self.reject([self.datum(Value=1.0) | {"Timestamp": ts(when)}])

    # -- names and enums -----------------------------------------------------------------

    def test_empty_metric_name_is_rejected(self):
        self.reject_either([self.datum("", Value=1.0)])

    def test_empty_namespace_is_rejected(self):
        self.reject_either([self.datum(Value=1.0)], namespace="")

    def test_unit_outside_the_enum_is_a_coral_validation_error(self):
        err = self.reject([self.datum(Value=1.0, Unit="Parsecs")], "ValidationError")
        message = err["Error"]["Message"]
        self.assertTrue(message.startswith("1 validation error detected: Value 'Parsecs' at '"),
                        message)
        self.assertIn("failed to satisfy constraint: Member must satisfy enum value set: [",
                      message)
        self.assertIn("Count/Second", message)

    def test_every_unit_of_the_enum_is_accepted(self):
        units = self.c.meta.service_model.shape_for("StandardUnit").enum
        self.assertEqual(len(units), 27)
        self.accept([self.datum(f"u{i}", Value=1.0, Unit=u) for i, u in enumerate(units)])
        self.assertEqual(len(self.list_all(self.c, Namespace=self.ns)), len(units))

    def reject_either(self, datums, namespace=None):
        """Rejected with HTTP 400 as a model-constraint error (code not recorded for AWS:
        ValidationError in coral form, or InvalidParameterValue) and nothing stored."""
        ns = self.ns if namespace is None else namespace
        with self.assertRaises(ClientError) as cm:
            self.c.put_metric_data(Namespace=ns, MetricData=datums)
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400, err)
        self.assertIn(err["Error"]["Code"], ("ValidationError", "InvalidParameterValue"), err)
        self.assertEqual(err["Error"].get("Type"), "Sender", err)
        if ns:
            self.assertEqual(self.list_all(self.c, Namespace=ns), [])
        return err


if __name__ == "__main__":
    unittest.main()
