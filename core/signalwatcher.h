#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace vtfarm {

/// \brief Turns SIGINT, SIGTERM and SIGHUP into a callback on an ordinary thread, where it may
/// lock mutexes and post Qt events, which a signal handler may not. The window and every
/// vtfarm-cli command stop through it.
///
/// A handler writes the signal's number to a pipe that the watcher's thread reads. Nothing is
/// blocked, so programs started meanwhile (workers, a file manager) get the default dispositions
/// and masks. While no watcher exists the signals do what they do by default. One watcher at a time.
class SignalWatcher
{
public:
    explicit SignalWatcher(std::function<void(int)> onSignal);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// The last signal received, or 0.
    int received() const { return m_received.load(); }

private:
    std::function<void(int)> m_onSignal;
    std::atomic<int> m_received { 0 };
    int m_pipe[2] = { -1, -1 };
    std::thread m_thread;
};

} // namespace vtfarm
