#pragma once

#include "redis.h"

#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace vtfarm::cluster {

/// \brief A thread with its own connection to Redis, made again with backoff whenever it breaks.
///
/// It runs the tasks posted to it, in order, then its step (a blocking read, or a wait for the
/// next task), again and again. A task that returns false met a broken connection: it runs again
/// once the connection is back, so that nothing posted is lost to an outage. No Qt object is
/// touched here; callers hand results to their own threads.
class RedisThread
{
public:
    using Task = std::function<bool(Redis&)>;
    using Step = std::function<void(Redis&)>;

    /// \a step runs between tasks; null: wait for the next task (up to \a idle). \a onStatus is
    /// told, from this thread, when the connection is lost (with why) and when it is back (empty).
    RedisThread(RedisUrl url, Step step, std::function<void(const QString& problem)> onStatus = {},
        std::chrono::milliseconds idle = std::chrono::milliseconds(200));
    ~RedisThread();
    RedisThread(const RedisThread&) = delete;
    RedisThread& operator=(const RedisThread&) = delete;

    void post(Task task);
    /// Ends the thread once its current step returns; tasks not run are dropped.
    void stop();
    bool connected() const { return m_connected.load(); }

private:
    void run();

    const RedisUrl m_url;
    const Step m_step;
    const std::function<void(const QString&)> m_onStatus;
    const std::chrono::milliseconds m_idle;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Task> m_tasks;
    std::atomic<bool> m_stop { false };
    std::atomic<bool> m_connected { false };
    std::thread m_thread;
};

} // namespace vtfarm::cluster
