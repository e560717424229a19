#include "server/worker_pool.h"

namespace relgraph::server {
namespace {
thread_local bool t_overflow = false;
}

BoundedWorkerPool::BoundedWorkerPool(size_t workers, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(jobs_, false); });
  threads_.emplace_back([this] { work(overflow_jobs_, true); });
}

BoundedWorkerPool::~BoundedWorkerPool() { shutdown(); }

bool BoundedWorkerPool::overloaded() { return t_overflow; }

void BoundedWorkerPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    (jobs_.size() >= max_queued_ ? overflow_jobs_ : jobs_).push_back(std::move(fn));
  }
  cv_.notify_all();
}

void BoundedWorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutdown_) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void BoundedWorkerPool::work(std::deque<std::function<void()>>& jobs, bool overflow) {
  t_overflow = overflow;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return shutdown_ || !jobs.empty(); });
      if (jobs.empty()) return;  // shut down and drained
      fn = std::move(jobs.front());
      jobs.pop_front();
    }
    fn();
  }
}

}  // namespace relgraph::server
