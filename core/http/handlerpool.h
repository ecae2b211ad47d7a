#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vtfarm::http::internal {

/// \brief A fixed set of threads running tasks in the order they came, with a bound on waiting ones.
class HandlerPool
{
public:
    HandlerPool(int threads, std::size_t maxQueued);
    ~HandlerPool();
    HandlerPool(const HandlerPool&) = delete;
    HandlerPool& operator=(const HandlerPool&) = delete;

    void start();
    /// Queues \a task. A \a bounded task is refused (false) when maxQueued tasks already wait; the
    /// rest (the next step of a request already under way) are always taken.
    bool post(std::function<void()> task, bool bounded);
    /// Runs what is queued, then joins the threads.
    void stop();
    bool isPoolThread() const;

private:
    void run();

    const int m_threadCount;
    const std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_queue;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace vtfarm::http::internal
