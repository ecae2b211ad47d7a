#pragma once
// Internal to core/media: the hand-off between pipeline threads.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace vtfarm::media {

/// A blocking FIFO of at most `capacity` items. close() lets the consumer drain what is left;
/// abort() wakes everyone and makes every later push and pop fail at once.
template <class T> class BoundedQueue
{
public:
    explicit BoundedQueue(size_t capacity)
        : m_capacity(capacity)
    { }

    bool push(T item)
    {
        std::unique_lock lock(m_mutex);
        m_notFull.wait(lock, [&] { return m_aborted || m_items.size() < m_capacity; });
        if (m_aborted)
            return false;
        m_items.push_back(std::move(item));
        m_notEmpty.notify_one();
        return true;
    }

    /// nullopt once closed and drained, or aborted.
    std::optional<T> pop()
    {
        std::unique_lock lock(m_mutex);
        m_notEmpty.wait(lock, [&] { return m_aborted || m_closed || !m_items.empty(); });
        if (m_aborted || m_items.empty())
            return std::nullopt;
        T item = std::move(m_items.front());
        m_items.pop_front();
        m_notFull.notify_one();
        return item;
    }

    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_notEmpty.notify_all();
    }

    void abort()
    {
        std::lock_guard lock(m_mutex);
        m_aborted = true;
        m_items.clear();
        m_notEmpty.notify_all();
        m_notFull.notify_all();
    }

    void reset()
    {
        std::lock_guard lock(m_mutex);
        m_items.clear();
        m_closed = m_aborted = false;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_notFull, m_notEmpty;
    std::deque<T> m_items;
    size_t m_capacity;
    bool m_closed = false;
    bool m_aborted = false;
};

} // namespace vtfarm::media
