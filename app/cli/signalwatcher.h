#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace vtfarm::cli {

/// \brief Turns SIGINT, SIGTERM and SIGHUP into a callback on an ordinary thread, where it may lock
/// mutexes and post Qt events, which a signal handler may not.
///
/// blockTerminationSignals() must run in main() before any thread starts, so that every thread
/// inherits the mask and only the watcher receives the signals.
class SignalWatcher
{
public:
    explicit SignalWatcher(std::function<void(int)> onSignal);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// The last signal received, or 0.
    int received() const { return m_received.load(); }

    static void blockTerminationSignals();
    /// Restores the default mask; for child processes, which inherit it across exec.
    static void unblockTerminationSignals();

private:
    std::function<void(int)> m_onSignal;
    std::atomic<int> m_received { 0 };
    std::thread m_thread;
};

} // namespace vtfarm::cli
