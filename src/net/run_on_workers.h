// The one hop from an I/O thread to the worker pool (style.md §8).
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>: include it first
// (this comment keeps clang-format from sorting it after the Boost headers).
#include <utility>
// The rest.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

namespace vigil::net::internal {

// `co_await RunOnWorkers(pool, job)` runs `job()` on a thread of `pool` and resumes the calling
// coroutine on its own executor (the connection's strand) with the result. The I/O thread is free
// while the job runs. `job` must not throw (wrap the handler call); its result is moved back.
template <typename WorkerExecutor, typename Job>
auto RunOnWorkers(WorkerExecutor workers, Job job)
    -> boost::asio::awaitable<std::invoke_result_t<Job&>> {
  using Result = std::invoke_result_t<Job&>;
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result)>(
      [workers](auto handler, Job job) {
        boost::asio::post(workers, [handler = std::move(handler), job = std::move(job)]() mutable {
          Result result = job();
          auto home = boost::asio::get_associated_executor(handler);
          boost::asio::post(home,
                            [handler = std::move(handler), result = std::move(result)]() mutable {
                              std::move(handler)(std::move(result));
                            });
        });
      },
      boost::asio::use_awaitable, std::move(job));
}

}  // namespace vigil::net::internal
