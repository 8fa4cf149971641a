// vigil's composition root: configuration, logging, the store, the front end and the listener,
// then an orderly shutdown on SIGINT/SIGTERM (style.md §9).
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vigil/alarms/notifier.h"
#include "vigil/alarms/service.h"
#include "vigil/alarms/state_store.h"
#include "vigil/api/anomaly_retrainer.h"
#include "vigil/api/anomaly_settings.h"
#include "vigil/api/frontend.h"
#include "vigil/common/clock.h"
#include "vigil/notify/delivery.h"
#include "vigil/notify/topics.h"
#include "vigil/common/logging.h"
#include "vigil/net/server.h"
#include "vigil/notify/ids.h"
#include "vigil/storage/metric_store.h"

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(vigil — a CloudWatch-compatible metrics and alarms server

Usage: vigil [flags]

  --listen HOST:PORT       address to serve on (env VIGIL_LISTEN; default 127.0.0.1:4590;
                           port 0 picks a free port and logs it)
  --data-dir DIR           where RocksDB keeps the data (env VIGIL_DATA_DIR; default ./data)
  --port-file PATH         write the bound port here once ready (env VIGIL_PORT_FILE)
  --log-level LEVEL        trace, debug, info, warn, error (env VIGIL_LOG_LEVEL; default info)
  --sync POLICY            process: acknowledged writes survive kill -9 (default);
                           always: fsync before acknowledging, survives power loss
                           (env VIGIL_SYNC)
  --maintenance-interval S seconds between store maintenance passes (checkpoint, rollups,
                           expiry); 0 disables them (env VIGIL_MAINTENANCE_INTERVAL; default 60)
  --strict-namespaces      reject namespaces beginning with AWS/ as CloudWatch does
                           (env VIGIL_STRICT_NAMESPACES=1)
  --default-account ID     account of requests whose access key is not a 12-digit account id
                           (env VIGIL_DEFAULT_ACCOUNT; default 123456789012)
  --default-region REGION  region of unsigned requests (env VIGIL_DEFAULT_REGION; default us-east-1)
  --clock MODE             system (default) or manual: time moves only through
                           POST /_vigil/clock, which runs the alarm evaluations that become due
                           (env VIGIL_CLOCK; see docs/alarms.md)
  --anomaly-retrain-interval S
                           seconds between the background retraining passes of the anomaly
                           detectors' models, a multiple of 300; 0 disables them (bands then
                           train on the request path) (env VIGIL_ANOMALY_RETRAIN_INTERVAL;
                           default 300; see docs/anomaly-detection.md)
  --public-url URL         where receivers reach vigil: SubscribeURL, UnsubscribeURL and
                           SigningCertURL start with it (env VIGIL_PUBLIC_URL; default
                           http://<listen address>)
  --sns-auto-confirm       http/https subscriptions are confirmed at once, without a
                           SubscriptionConfirmation message (test setups; env
                           VIGIL_SNS_AUTO_CONFIRM=1; see docs/sns-api.md)
  --action-webhook ARN=URL an alarm action with this ARN is POSTed to URL as an SNS
                           Notification, no topic needed (repeatable)
  --lambda-url ARN=URL     lambda subscriptions to this function ARN are POSTed to URL in the
                           Lambda SNS event format (repeatable)
  --signature-version V    1 (SHA1withRSA, default) or 2 (SHA256withRSA) for delivered messages
  --delivery-timeout-ms N  time allowed to one delivery attempt (default 15000)
  --delivery-concurrency N deliveries in flight at once (default 32)
  --delivery-queue-limit N undelivered messages kept per subscription or webhook (default 10000)
  --io-threads N           HTTP I/O threads (default 2)
  --workers N              request worker threads (default 2)
  --max-body-bytes N       largest request body as sent (default 1048576)
  --read-timeout-ms N      time allowed to read one request (default 30000)
  --version                print the version and exit
  --help                   this text
)";

struct Config {
  std::string listen = "127.0.0.1:4590";
  std::string data_dir = "./data";
  std::string port_file;
  std::string log_level = "info";
  std::string sync = "process";
  int maintenance_interval = 60;
  bool strict_namespaces = false;
  std::string default_account = "123456789012";
  std::string default_region = "us-east-1";
  std::string clock = "system";
  int anomaly_retrain_interval = 300;
  std::string public_url;
  bool sns_auto_confirm = false;
  std::map<std::string, std::string, std::less<>> action_webhooks;
  std::map<std::string, std::string, std::less<>> lambda_urls;
  int signature_version = 1;
  int delivery_timeout_ms = 15000;
  int delivery_concurrency = 32;
  int delivery_queue_limit = 10000;
  int io_threads = 2;
  int workers = 2;
  size_t max_body_bytes = 1024 * 1024;
  int read_timeout_ms = 30000;
};

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "vigil: %s\n(see vigil --help)\n", message.c_str());
  std::exit(2);
}

int ParseInt(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    int n = std::stoi(v, &used);
    if (used != v.size() || n < 0) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    Fail(flag + " needs a non-negative integer, got '" + v + "'");
  }
}

Config ParseConfig(int argc, char** argv) {
  Config c;
  if (auto v = Env("VIGIL_LISTEN")) c.listen = *v;
  if (auto v = Env("VIGIL_DATA_DIR")) c.data_dir = *v;
  if (auto v = Env("VIGIL_PORT_FILE")) c.port_file = *v;
  if (auto v = Env("VIGIL_LOG_LEVEL")) c.log_level = *v;
  if (auto v = Env("VIGIL_SYNC")) c.sync = *v;
  if (auto v = Env("VIGIL_MAINTENANCE_INTERVAL")) {
    c.maintenance_interval = ParseInt("VIGIL_MAINTENANCE_INTERVAL", *v);
  }
  if (auto v = Env("VIGIL_STRICT_NAMESPACES")) c.strict_namespaces = *v == "1" || *v == "true";
  if (auto v = Env("VIGIL_DEFAULT_ACCOUNT")) c.default_account = *v;
  if (auto v = Env("VIGIL_DEFAULT_REGION")) c.default_region = *v;
  if (auto v = Env("VIGIL_CLOCK")) c.clock = *v;
  if (auto v = Env("VIGIL_PUBLIC_URL")) c.public_url = *v;
  if (auto v = Env("VIGIL_SNS_AUTO_CONFIRM")) c.sns_auto_confirm = *v == "1" || *v == "true";
  if (auto v = Env("VIGIL_ANOMALY_RETRAIN_INTERVAL")) {
    c.anomaly_retrain_interval = ParseInt("VIGIL_ANOMALY_RETRAIN_INTERVAL", *v);
  }

  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      inline_value = true;
    }
    auto next = [&]() -> std::string {
      if (inline_value) return value;
      if (i + 1 >= args.size()) Fail(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (flag == "--version") {
      std::printf("vigil %s\n", kVersion);
      std::exit(0);
    } else if (flag == "--listen") {
      c.listen = next();
    } else if (flag == "--data-dir") {
      c.data_dir = next();
    } else if (flag == "--port-file") {
      c.port_file = next();
    } else if (flag == "--log-level") {
      c.log_level = next();
    } else if (flag == "--sync") {
      c.sync = next();
    } else if (flag == "--maintenance-interval") {
      c.maintenance_interval = ParseInt(flag, next());
    } else if (flag == "--strict-namespaces") {
      c.strict_namespaces = true;
    } else if (flag == "--default-account") {
      c.default_account = next();
    } else if (flag == "--default-region") {
      c.default_region = next();
    } else if (flag == "--clock") {
      c.clock = next();
    } else if (flag == "--anomaly-retrain-interval") {
      c.anomaly_retrain_interval = ParseInt(flag, next());
    } else if (flag == "--public-url") {
      c.public_url = next();
    } else if (flag == "--sns-auto-confirm") {
      c.sns_auto_confirm = true;
    } else if (flag == "--action-webhook" || flag == "--lambda-url") {
      std::string v = next();
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        Fail(flag + " needs ARN=URL, got '" + v + "'");
      }
      (flag == "--action-webhook" ? c.action_webhooks : c.lambda_urls)[v.substr(0, eq)] =
          v.substr(eq + 1);
    } else if (flag == "--signature-version") {
      c.signature_version = ParseInt(flag, next());
    } else if (flag == "--delivery-timeout-ms") {
      c.delivery_timeout_ms = std::max(1, ParseInt(flag, next()));
    } else if (flag == "--delivery-concurrency") {
      c.delivery_concurrency = std::max(1, ParseInt(flag, next()));
    } else if (flag == "--delivery-queue-limit") {
      c.delivery_queue_limit = std::max(1, ParseInt(flag, next()));
    } else if (flag == "--io-threads") {
      c.io_threads = std::max(1, ParseInt(flag, next()));
    } else if (flag == "--workers") {
      c.workers = std::max(1, ParseInt(flag, next()));
    } else if (flag == "--max-body-bytes") {
      c.max_body_bytes = static_cast<size_t>(ParseInt(flag, next()));
    } else if (flag == "--read-timeout-ms") {
      c.read_timeout_ms = std::max(1, ParseInt(flag, next()));
    } else {
      Fail("unknown flag " + flag);
    }
  }
  if (c.sync != "process" && c.sync != "always") Fail("--sync must be process or always");
  if (c.clock != "system" && c.clock != "manual") Fail("--clock must be system or manual");
  if (c.signature_version != 1 && c.signature_version != 2) Fail("--signature-version must be 1 or 2");
  if (c.anomaly_retrain_interval % 300 != 0) {
    Fail("--anomaly-retrain-interval must be 0 or a multiple of 300 seconds");
  }
  return c;
}

// "http://" + this is the default public URL: 0.0.0.0 and :: are reached on the loopback.
std::string FormatHostPort(const std::string& host, uint16_t port) {
  std::string h = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

bool SplitHostPort(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    size_t used = 0;
    int p = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return !host.empty();
}

void WritePortFile(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << port << "\n";
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
  Config config = ParseConfig(argc, argv);
  vigil::SetupLogging(config.log_level);
  auto log = vigil::Logger("main");

  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(config.listen, host, port)) Fail("--listen needs HOST:PORT, got " + config.listen);

  // Signals are taken synchronously by this thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // The one clock everything reads. A manual clock starts at the wall-clock time of start-up
  // and then moves only through POST /_vigil/clock.
  vigil::SystemClock system_clock;
  std::optional<vigil::ManualClock> manual_clock;
  if (config.clock == "manual") manual_clock.emplace(system_clock.Now());
  const vigil::Clock& clock =
      manual_clock ? static_cast<const vigil::Clock&>(*manual_clock) : system_clock;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) Fail("cannot create --data-dir " + config.data_dir + ": " + ec.message());
  vigil::storage::RocksOptions store_options;
  store_options.path = (std::filesystem::path(config.data_dir) / "metrics").string();
  store_options.sync =
      config.sync == "always" ? vigil::storage::SyncPolicy::kAlways : vigil::storage::SyncPolicy::kProcess;
  auto store = vigil::storage::OpenRocksMetricStore(store_options, clock);
  if (!store.ok()) {
    log->critical("{}", store.error().message);
    return 1;
  }

  // Alarms: their own RocksDB instance under <data-dir>/state, loaded before serving.
  vigil::alarms::StateStoreOptions state_options;
  state_options.path = (std::filesystem::path(config.data_dir) / "state").string();
  state_options.sync = config.sync == "always";
  auto state_store = vigil::alarms::OpenRocksStateStore(state_options);
  if (!state_store.ok()) {
    log->critical("{}", state_store.error().message);
    return 1;
  }
  // SNS topics and subscriptions, and delivery (the outbox in the state database, the signer's
  // key beside it): alarm actions are staged into the batch of their transition.
  vigil::notify::SecureRandom random;
  vigil::notify::SnsTopicsOptions topics_options;
  topics_options.auto_confirm = config.sns_auto_confirm;
  vigil::notify::SnsTopics sns_topics(**state_store, random, topics_options);
  if (auto s = sns_topics.Load(); !s.ok()) {
    log->critical("loading SNS topics: {}", s.error().message);
    return 1;
  }
  auto signer = vigil::notify::Signer::LoadOrCreate(config.data_dir, clock.Now());
  if (!signer.ok()) {
    log->critical("SNS signing key: {}", signer.error().message);
    return 1;
  }
  vigil::notify::DeliveryConfig delivery_config;
  delivery_config.public_url = config.public_url;
  delivery_config.action_webhooks = config.action_webhooks;
  delivery_config.lambda_urls = config.lambda_urls;
  delivery_config.signature_version = config.signature_version == 2
                                          ? vigil::notify::SignatureVersion::kV2
                                          : vigil::notify::SignatureVersion::kV1;
  delivery_config.request_timeout = std::chrono::milliseconds(config.delivery_timeout_ms);
  delivery_config.max_concurrent = config.delivery_concurrency;
  delivery_config.max_queued_per_endpoint = static_cast<size_t>(config.delivery_queue_limit);
  vigil::notify::Delivery delivery(**state_store, sns_topics, **store, clock, **signer,
                                   delivery_config);
  auto alarm_service =
      std::make_unique<vigil::alarms::AlarmService>(**state_store, **store, delivery);
  // The anomaly detectors' models, retrained in the background and persisted beside them.
  std::unique_ptr<vigil::api::AnomalyRetrainer> retrainer;
  if (config.anomaly_retrain_interval > 0) {
    vigil::api::RetrainerOptions retrain_options;
    retrain_options.interval_seconds = config.anomaly_retrain_interval;
    retrainer = std::make_unique<vigil::api::AnomalyRetrainer>(**state_store, **store,
                                                               retrain_options);
  }
  // Band alarms train with the anomaly detectors' settings (and models), as GetMetricData does.
  alarm_service->SetAnomalySettings(
      retrainer ? retrainer->WithTrainedModels(vigil::api::DetectorSettingsLookup(**state_store))
                : vigil::api::DetectorSettingsLookup(**state_store));
  alarm_service->SetExpressionAnomalySettings(
      retrainer
          ? retrainer->WithTrainedModels(vigil::api::MathDetectorSettingsLookup(**state_store))
          : vigil::api::MathDetectorSettingsLookup(**state_store));
  if (auto s = alarm_service->Load(); !s.ok()) {
    log->critical("loading alarms: {}", s.error().message);
    return 1;
  }
  (void)alarm_service->RunDue(clock.Now());  // the schedule starts now: no catch-up at start

  vigil::api::Services services;
  services.metrics = store->get();
  services.clock = &clock;
  services.alarms = alarm_service.get();
  services.manual_clock = manual_clock ? &*manual_clock : nullptr;
  services.anomaly_retrainer = retrainer.get();
  services.sns_topics = &sns_topics;
  services.sns_sink = &delivery;
  services.delivery = &delivery;
  services.signing_cert_pem = (*signer)->certificate_pem();
  services.config.default_account = config.default_account;
  services.config.default_region = config.default_region;
  services.config.strict_namespaces = config.strict_namespaces;
  services.config.version = kVersion;
  vigil::api::Frontend frontend(services);

  vigil::net::ServerOptions net_options;
  net_options.host = host;
  net_options.port = port;
  net_options.io_threads = config.io_threads;
  net_options.worker_threads = config.workers;
  net_options.max_body_bytes = config.max_body_bytes;
  net_options.read_timeout = std::chrono::milliseconds(config.read_timeout_ms);
  vigil::net::HttpServer server(net_options, frontend);
  if (auto s = server.Start(); !s.ok()) {
    log->critical("{}", s.error().message);
    return 1;
  }
  // Store maintenance (checkpoint, rollups, expiry) on a timer, on its own thread.
  std::mutex maintenance_mu;
  std::condition_variable maintenance_cv;
  bool maintenance_stop = false;
  std::thread maintenance;
  if (config.maintenance_interval > 0) {
    maintenance = std::thread([&, interval = std::chrono::seconds(config.maintenance_interval)] {
      auto mlog = vigil::Logger("store");
      std::unique_lock lock(maintenance_mu);
      while (!maintenance_cv.wait_for(lock, interval, [&] { return maintenance_stop; })) {
        lock.unlock();
        auto report = (*store)->RunMaintenance({});
        if (!report.ok()) {
          mlog->warn("maintenance: {}", report.error().message);
        } else {
          mlog->debug("maintenance: {} buckets checkpointed, {} blocks rolled up",
                      report->checkpointed_buckets, report->rolled_up_blocks);
        }
        lock.lock();
      }
    });
  }

  // The alarm evaluator on the system clock: wakes at every 10-second tick and runs what is due.
  // On the manual clock POST /_vigil/clock runs the evaluations instead.
  std::mutex evaluator_mu;
  std::condition_variable evaluator_cv;
  bool evaluator_stop = false;
  std::thread evaluator;
  if (!manual_clock) {
    evaluator = std::thread([&] {
      auto alog = vigil::Logger("alarms");
      std::unique_lock lock(evaluator_mu);
      while (!evaluator_stop) {
        int64_t ms = clock.Now().millis;
        auto wait = std::chrono::milliseconds(10'000 - ms % 10'000 + 5);
        if (evaluator_cv.wait_for(lock, wait, [&] { return evaluator_stop; })) break;
        lock.unlock();
        auto report = alarm_service->RunDue(clock.Now());
        if (report.transitions > 0 || report.errors > 0) {
          alog->debug("evaluation: {} alarms, {} transitions, {} errors", report.evaluations,
                      report.transitions, report.errors);
        }
        lock.lock();
      }
    });
  }

  // The anomaly retrainer on the system clock, at SCHED_IDLE priority on its own thread; on the
  // manual clock POST /_vigil/clock runs its passes.
  if (retrainer && !manual_clock) retrainer->Start(clock);
  // Delivery: loads what an earlier run left undelivered and starts sending.
  if (auto s = delivery.Start("http://" + FormatHostPort(host, server.port())); !s.ok()) {
    log->critical("starting delivery: {}", s.error().message);
    return 1;
  }

  log->info("vigil {} listening on {}:{} (data in {}, sync={}, maintenance every {} s, {} clock)",
            kVersion, host, server.port(), config.data_dir, config.sync,
            config.maintenance_interval, config.clock);
  if (!config.port_file.empty()) WritePortFile(config.port_file, server.port());

  int sig = 0;
  sigwait(&signals, &sig);
  log->info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.Shutdown();
  {
    std::lock_guard lock(maintenance_mu);
    maintenance_stop = true;
  }
  maintenance_cv.notify_all();
  if (maintenance.joinable()) maintenance.join();
  {
    std::lock_guard lock(evaluator_mu);
    evaluator_stop = true;
  }
  evaluator_cv.notify_all();
  if (evaluator.joinable()) evaluator.join();
  if (retrainer) retrainer->Stop();  // interrupts a pass between two detectors
  delivery.Stop();  // undelivered messages stay in the outbox for the next start
  alarm_service.reset();
  retrainer.reset();
  state_store->reset();  // flushes and closes the state database
  store->reset();  // checkpoints the head, flushes and closes RocksDB
  log->info("stopped");
  return 0;
}
