// vigil's composition root: configuration, logging, the store, the front end and the listener,
// then an orderly shutdown on SIGINT/SIGTERM (style.md §9).
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vigil/alarms/notifier.h"
#include "vigil/alarms/service.h"
#include "vigil/alarms/state_store.h"
#include "vigil/api/frontend.h"
#include "vigil/common/clock.h"
#include "vigil/common/logging.h"
#include "vigil/net/server.h"
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
  return c;
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
  vigil::alarms::LoggingNotifier notifier;
  auto alarm_service =
      std::make_unique<vigil::alarms::AlarmService>(**state_store, **store, notifier);
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
  alarm_service.reset();
  state_store->reset();  // flushes and closes the state database
  store->reset();  // checkpoints the head, flushes and closes RocksDB
  log->info("stopped");
  return 0;
}
