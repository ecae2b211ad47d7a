#include "terminalprogress.h"

#include "transcoder.h"

#include <QDateTime>
#include <unistd.h>

namespace vtfarm::cli {

TerminalProgress::TerminalProgress(FILE* stream)
    : m_stream(stream)
    , m_tty(isatty(fileno(stream)))
{ }

QString TerminalProgress::formatDuration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString TerminalProgress::formatBytes(qint64 bytes)
{
    if (bytes >= 1'000'000'000)
        return QStringLiteral("%1 GB").arg(bytes / 1e9, 0, 'f', 2);
    if (bytes >= 1'000'000)
        return QStringLiteral("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
    if (bytes >= 1'000)
        return QStringLiteral("%1 kB").arg(bytes / 1e3, 0, 'f', 0);
    return QStringLiteral("%1 B").arg(bytes);
}

void TerminalProgress::update(const QString& label, const media::TranscodeProgress& p)
{
    const QString stats = QStringLiteral("%1%  %2 fps  %3x  ETA %4")
                              .arg(p.fraction * 100.0, 5, 'f', 1)
                              .arg(p.fps, 0, 'f', 0)
                              .arg(p.speed, 0, 'f', 2)
                              .arg(formatDuration(p.etaSeconds));
    if (m_tty) {
        constexpr int kWidth = 30;
        const int filled = int(p.fraction * kWidth);
        const QString bar = QString(filled, u'#') + QString(kWidth - filled, u'-');
        const QString line = QStringLiteral("\r%1 [%2] %3").arg(label.left(32), bar, stats);
        std::fprintf(m_stream, "%s\x1b[K", line.toLocal8Bit().constData());
        std::fflush(m_stream);
        m_drawn = true;
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastPlainMs >= 0 && now - m_lastPlainMs < 2000)
        return;
    m_lastPlainMs = now;
    std::fprintf(m_stream, "%s: %s\n", label.toLocal8Bit().constData(), stats.toLocal8Bit().constData());
    std::fflush(m_stream);
}

void TerminalProgress::finish()
{
    if (m_tty && m_drawn) {
        std::fputs("\n", m_stream);
        m_drawn = false;
    }
}

} // namespace vtfarm::cli
