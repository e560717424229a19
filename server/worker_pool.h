// The HTTP worker pool with a bounded queue. cpp-httplib hands each accepted connection to
// a TaskQueue; its ThreadPool queues without limit, so a flood of connections would wait
// forever. Here, when `max_queued` connections are already waiting, a new connection is
// served by a single overflow thread on which overloaded() is true, and the server answers
// it at once with 503 and Retry-After instead of routing it.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace relgraph::server {

class BoundedWorkerPool : public httplib::TaskQueue {
 public:
  BoundedWorkerPool(size_t workers, size_t max_queued);
  ~BoundedWorkerPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on the overflow thread: the connection being served arrived while the pool was full.
  static bool overloaded();

 private:
  void work(std::deque<std::function<void()>>& jobs, std::condition_variable& cv, bool overflow);

  size_t max_queued_;
  std::mutex mutex_;
  // One condition per queue, each woken with notify_one: a new connection wakes one worker,
  // not all of them (with 64 workers, notify_all on one shared condition cost more CPU than
  // the requests themselves whenever clients reconnected).
  std::condition_variable cv_, overflow_cv_;
  std::deque<std::function<void()>> jobs_, overflow_jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace relgraph::server
