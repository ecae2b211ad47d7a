#include "signalwatcher.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace vtfarm {

namespace {

constexpr int kSignals[] = { SIGINT, SIGTERM, SIGHUP };
constexpr char kQuit = 0; // from the destructor: the thread ends

std::atomic<int> g_writeEnd { -1 };

void onSignal(int sig)
{
    const int saved = errno;
    const char byte = char(sig);
    if (const int fd = g_writeEnd.load(); fd >= 0) [[maybe_unused]]
        const ssize_t n = ::write(fd, &byte, 1);
    errno = saved;
}

} // namespace

SignalWatcher::SignalWatcher(std::function<void(int)> onSignal)
    : m_onSignal(std::move(onSignal))
{
    if (::pipe2(m_pipe, O_CLOEXEC) != 0)
        return;
    g_writeEnd = m_pipe[1];
    struct sigaction sa
    {
    };
    sa.sa_handler = vtfarm::onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int sig : kSignals)
        ::sigaction(sig, &sa, nullptr);
    m_thread = std::thread([this] {
        for (;;) {
            char byte = 0;
            const ssize_t n = ::read(m_pipe[0], &byte, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0 || byte == kQuit)
                return;
            m_received = int(byte);
            if (m_onSignal)
                m_onSignal(int(byte));
        }
    });
}

SignalWatcher::~SignalWatcher()
{
    if (m_pipe[1] < 0)
        return;
    struct sigaction sa
    {
    };
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig : kSignals)
        ::sigaction(sig, &sa, nullptr);
    g_writeEnd = -1;
    const char quit = kQuit;
    [[maybe_unused]] const ssize_t n = ::write(m_pipe[1], &quit, 1);
    if (m_thread.joinable())
        m_thread.join();
    ::close(m_pipe[0]);
    ::close(m_pipe[1]);
}

} // namespace vtfarm
