#include "server/worker_pool.h"

namespace relgraph::server {
namespace {
thread_local bool t_overflow = false;
}

BoundedWorkerPool::BoundedWorkerPool(size_t workers, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(jobs_, cv_, false); });
  threads_.emplace_back([this] { work(overflow_jobs_, overflow_cv_, true); });
}

BoundedWorkerPool::~BoundedWorkerPool() { shutdown(); }

bool BoundedWorkerPool::overloaded() { return t_overflow; }

void BoundedWorkerPool::enqueue(std::function<void()> fn) {
  bool overflow = false;
  {
    std::lock_guard lock(mutex_);
    overflow = jobs_.size() >= max_queued_;
    (overflow ? overflow_jobs_ : jobs_).push_back(std::move(fn));
  }
  (overflow ? overflow_cv_ : cv_).notify_one();
}

void BoundedWorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutdown_) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  overflow_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void BoundedWorkerPool::work(std::deque<std::function<void()>>& jobs, std::condition_variable& cv,
                             bool overflow) {
  t_overflow = overflow;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex_);
      cv.wait(lock, [&] { return shutdown_ || !jobs.empty(); });
      if (jobs.empty()) return;  // shut down and drained
      fn = std::move(jobs.front());
      jobs.pop_front();
    }
    fn();
  }
}

}  // namespace relgraph::server
