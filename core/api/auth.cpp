#include "auth.h"

#include <QCryptographicHash>
#include <algorithm>
#include <cctype>

namespace vtfarm::api {

namespace {

constexpr auto kAuthFailureMemory = std::chrono::minutes(10);
constexpr int kMaxLockoutSeconds = 300;
constexpr std::size_t kMaxTrackedAddresses = 4096;

} // namespace

TokenCheck::TokenCheck(const QString& token)
    : m_digest(
        token.isEmpty() ? QByteArray() : QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256))
{ }

bool TokenCheck::accepts(std::string_view header) const
{
    static constexpr std::string_view scheme = "bearer ";
    if (m_digest.isEmpty())
        return true;
    if (header.size() <= scheme.size())
        return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i])
            return false;
    }
    std::string_view given = header.substr(scheme.size());
    while (!given.empty() && given.front() == ' ')
        given.remove_prefix(1);
    while (!given.empty() && given.back() == ' ')
        given.remove_suffix(1);
    const QByteArray digest = QCryptographicHash::hash(
        QByteArrayView(given.data(), qsizetype(given.size())), QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < digest.size(); ++i)
        diff |= static_cast<unsigned char>(digest[i] ^ m_digest[i]);
    return diff == 0;
}

AuthThrottle::AuthThrottle(int freeFailures)
    : m_freeFailures(std::max(1, freeFailures))
{ }

int AuthThrottle::lockedFor(const std::string& address)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(address);
    if (it == m_entries.end())
        return 0;
    const auto left = it->second.lockedUntil - Clock::now();
    return left > Clock::duration::zero() ? int(std::chrono::ceil<std::chrono::seconds>(left).count()) : 0;
}

void AuthThrottle::failed(const std::string& address)
{
    std::lock_guard lock(m_mutex);
    const auto now = Clock::now();
    if (m_entries.size() >= kMaxTrackedAddresses)
        prune(now);
    Entry& e = m_entries[address];
    if (now - e.lastFailure > kAuthFailureMemory)
        e.failures = 0;
    e.lastFailure = now;
    if (++e.failures >= m_freeFailures) {
        const int seconds = std::min(kMaxLockoutSeconds, 1 << std::min(e.failures - m_freeFailures, 9));
        e.lockedUntil = now + std::chrono::seconds(seconds);
    }
}

void AuthThrottle::succeeded(const std::string& address)
{
    std::lock_guard lock(m_mutex);
    m_entries.erase(address);
}

void AuthThrottle::prune(Clock::time_point now)
{
    std::erase_if(m_entries, [now](const auto& kv) {
        return kv.second.lockedUntil < now && now - kv.second.lastFailure > kAuthFailureMemory;
    });
    if (m_entries.size() >= kMaxTrackedAddresses)
        m_entries.clear();
}

} // namespace vtfarm::api
