#include "api/registry.h"

#include <cstdio>
#include <cstdlib>

#include "api/operations/operations.h"
#include "api/sns/sns_operations.h"
#include "vigil/model/cloudwatch.h"
#include "vigil/model/sns.h"

namespace vigil::api {

Registry::Registry(const model::Operation* ops, size_t count) {
  for (size_t i = 0; i < count; ++i) entries_[ops[i].name] = Entry{&ops[i], {}};
}

Registry::Entry& Registry::Slot(std::string_view name, const model::Shape* in,
                                const model::Shape* out) {
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.operation->input != in ||
      it->second.operation->output != out) {
    std::fprintf(stderr, "registry: %.*s does not match the model\n", static_cast<int>(name.size()),
                 name.data());
    std::abort();
  }
  return it->second;
}

const Registry::Entry* Registry::Find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

// The one list of operations vigil builds.
const Registry& Registry::CloudWatch() {
  static const Registry registry = [] {
    Registry r(model::cw::kOperations, model::cw::kOperationCount);
    r.Add("PutMetricData", &ops::PutMetricData);
    r.Add("ListMetrics", &ops::ListMetrics);
    r.Add("GetMetricStatistics", &ops::GetMetricStatistics);
    r.Add("GetMetricData", &ops::GetMetricData);
    r.Add("PutMetricAlarm", &ops::PutMetricAlarm);
    r.Add("PutCompositeAlarm", &ops::PutCompositeAlarm);
    r.Add("DescribeAlarms", &ops::DescribeAlarms);
    r.Add("DescribeAlarmsForMetric", &ops::DescribeAlarmsForMetric);
    r.Add("DeleteAlarms", &ops::DeleteAlarms);
    r.Add("SetAlarmState", &ops::SetAlarmState);
    r.Add("EnableAlarmActions", &ops::EnableAlarmActions);
    r.Add("DisableAlarmActions", &ops::DisableAlarmActions);
    r.Add("DescribeAlarmHistory", &ops::DescribeAlarmHistory);
    r.Add("TagResource", &ops::TagResource);
    r.Add("UntagResource", &ops::UntagResource);
    r.Add("ListTagsForResource", &ops::ListTagsForResource);
    r.Add("PutAlarmMuteRule", &ops::PutAlarmMuteRule);
    r.Add("GetAlarmMuteRule", &ops::GetAlarmMuteRule);
    r.Add("ListAlarmMuteRules", &ops::ListAlarmMuteRules);
    r.Add("DeleteAlarmMuteRule", &ops::DeleteAlarmMuteRule);
    r.Add("PutAnomalyDetector", &ops::PutAnomalyDetector);
    r.Add("DescribeAnomalyDetectors", &ops::DescribeAnomalyDetectors);
    r.Add("DeleteAnomalyDetector", &ops::DeleteAnomalyDetector);
    return r;
  }();
  return registry;
}

// The SNS operations vigil builds (docs/sns-api.md).
const Registry& Registry::Sns() {
  static const Registry registry = [] {
    Registry r(model::sns::kOperations, model::sns::kOperationCount);
    r.Add("CreateTopic", &sns_ops::CreateTopic);
    r.Add("DeleteTopic", &sns_ops::DeleteTopic);
    r.Add("ListTopics", &sns_ops::ListTopics);
    r.Add("GetTopicAttributes", &sns_ops::GetTopicAttributes);
    r.Add("SetTopicAttributes", &sns_ops::SetTopicAttributes);
    r.Add("Subscribe", &sns_ops::Subscribe);
    r.Add("ConfirmSubscription", &sns_ops::ConfirmSubscription);
    r.Add("Unsubscribe", &sns_ops::Unsubscribe);
    r.Add("ListSubscriptions", &sns_ops::ListSubscriptions);
    r.Add("ListSubscriptionsByTopic", &sns_ops::ListSubscriptionsByTopic);
    r.Add("GetSubscriptionAttributes", &sns_ops::GetSubscriptionAttributes);
    r.Add("SetSubscriptionAttributes", &sns_ops::SetSubscriptionAttributes);
    r.Add("Publish", &sns_ops::Publish);
    r.Add("TagResource", &sns_ops::TagResource);
    r.Add("UntagResource", &sns_ops::UntagResource);
    r.Add("ListTagsForResource", &sns_ops::ListTagsForResource);
    return r;
  }();
  return registry;
}

}  // namespace vigil::api
