#include "handlerpool.h"

#include <algorithm>

namespace vtfarm::http::internal {

namespace {
thread_local const HandlerPool* t_currentPool = nullptr;
}

HandlerPool::HandlerPool(int threads, std::size_t maxQueued)
    : m_threadCount(std::max(1, threads))
    , m_maxQueued(maxQueued)
{ }

HandlerPool::~HandlerPool()
{
    stop();
}

void HandlerPool::start()
{
    std::lock_guard lock(m_mutex);
    if (!m_threads.empty() || m_stopping)
        return;
    for (int i = 0; i < m_threadCount; ++i)
        m_threads.emplace_back([this] { run(); });
}

bool HandlerPool::post(std::function<void()> task, bool bounded)
{
    {
        std::lock_guard lock(m_mutex);
        if (bounded && m_queue.size() >= m_maxQueued)
            return false;
        m_queue.push_back(std::move(task));
    }
    m_wake.notify_one();
    return true;
}

void HandlerPool::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& t : m_threads) {
        if (t.joinable() && t.get_id() != std::this_thread::get_id())
            t.join();
    }
}

bool HandlerPool::isPoolThread() const
{
    return t_currentPool == this;
}

void HandlerPool::run()
{
    t_currentPool = this;
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;
            task = std::move(m_queue.front());
            m_queue.pop_front();
        }
        // Tasks catch their own exceptions; this only keeps a thread from dying of one that slipped.
        try {
            task();
        } catch (...) { }
    }
}

} // namespace vtfarm::http::internal
