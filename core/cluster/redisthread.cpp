#include "redisthread.h"

namespace vtfarm::cluster {

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kFirstBackoff = std::chrono::milliseconds(250);
constexpr auto kLongestBackoff = std::chrono::seconds(5);

} // namespace

RedisThread::RedisThread(
    RedisUrl url, Step step, std::function<void(const QString&)> onStatus, std::chrono::milliseconds idle)
    : m_url(std::move(url))
    , m_step(std::move(step))
    , m_onStatus(std::move(onStatus))
    , m_idle(idle)
{
    m_thread = std::thread([this] { run(); });
}

RedisThread::~RedisThread()
{
    stop();
}

void RedisThread::post(Task task)
{
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_cv.notify_one();
}

void RedisThread::stop()
{
    m_stop = true;
    m_cv.notify_all();
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id())
        m_thread.join();
}

void RedisThread::run()
{
    std::unique_ptr<Redis> redis;
    auto backoff = kFirstBackoff;
    QString lastProblem;
    while (!m_stop) {
        if (!redis) {
            auto made = Redis::connect(m_url, kConnectTimeout);
            if (!made) {
                m_connected = false;
                if (m_onStatus && made.error().message != lastProblem)
                    m_onStatus(made.error().message);
                lastProblem = made.error().message;
                std::unique_lock lock(m_mutex);
                m_cv.wait_for(lock, backoff, [this] { return m_stop.load(); });
                backoff = std::min<std::chrono::milliseconds>(backoff * 2, kLongestBackoff);
                continue;
            }
            redis = std::move(made.value());
            backoff = kFirstBackoff;
            m_connected = true;
            if (m_onStatus && !lastProblem.isEmpty())
                m_onStatus({});
            lastProblem.clear();
        }
        // The tasks, in order; one that met a broken connection waits, first, for the next one.
        for (;;) {
            Task task;
            {
                std::lock_guard lock(m_mutex);
                if (m_tasks.empty() || m_stop)
                    break;
                task = std::move(m_tasks.front());
                m_tasks.pop_front();
            }
            if (!task(*redis) || redis->broken()) {
                std::lock_guard lock(m_mutex);
                m_tasks.push_front(std::move(task));
                break;
            }
        }
        if (redis->broken()) {
            redis.reset();
            continue;
        }
        if (m_stop)
            break;
        if (m_step) {
            m_step(*redis);
        } else {
            std::unique_lock lock(m_mutex);
            m_cv.wait_for(lock, m_idle, [this] { return m_stop.load() || !m_tasks.empty(); });
        }
        if (redis->broken())
            redis.reset();
    }
    m_connected = false;
}

} // namespace vtfarm::cluster
