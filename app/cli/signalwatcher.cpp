#include "signalwatcher.h"

#include <pthread.h>
#include <signal.h>

namespace vtfarm::cli {

namespace {

sigset_t watchedSignals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1); // the watcher's own "stop" signal
    return set;
}

} // namespace

void SignalWatcher::blockTerminationSignals()
{
    const sigset_t set = watchedSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void SignalWatcher::unblockTerminationSignals()
{
    const sigset_t set = watchedSignals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(std::function<void(int)> onSignal)
    : m_onSignal(std::move(onSignal))
{
    m_thread = std::thread([this] {
        const sigset_t set = watchedSignals();
        for (;;) {
            int sig = 0;
            if (sigwait(&set, &sig) != 0)
                continue;
            if (sig == SIGUSR1)
                return;
            m_received = sig;
            if (m_onSignal)
                m_onSignal(sig);
        }
    });
}

SignalWatcher::~SignalWatcher()
{
    pthread_kill(m_thread.native_handle(), SIGUSR1);
    m_thread.join();
}

} // namespace vtfarm::cli
