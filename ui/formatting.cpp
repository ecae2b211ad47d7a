#include "formatting.h"

#include <QCoreApplication>
#include <QLocale>
#include <cmath>

namespace vtfarm::ui {

QString formatBytes(qint64 bytes)
{
    // Decimal units, as file managers on Linux show them, so the numbers match.
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString formatDuration(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds))
        return {};
    const qint64 s = std::llround(seconds);
    const qint64 h = s / 3600, m = (s / 60) % 60, sec = s % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(sec, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(sec, 2, 10, QLatin1Char('0'));
}

QString stateText(jobs::JobState state)
{
    switch (state) {
    case jobs::JobState::Queued:
        return QCoreApplication::translate("vtfarm::ui", "Queued");
    case jobs::JobState::Started:
        return QCoreApplication::translate("vtfarm::ui", "Running");
    case jobs::JobState::Finished:
        return QCoreApplication::translate("vtfarm::ui", "Finished");
    case jobs::JobState::Failed:
        return QCoreApplication::translate("vtfarm::ui", "Failed");
    case jobs::JobState::Canceled:
        return QCoreApplication::translate("vtfarm::ui", "Canceled");
    }
    return {};
}

QColor stateColor(jobs::JobState state)
{
    switch (state) {
    case jobs::JobState::Queued:
        return QColor(0x60, 0x6b, 0x73);
    case jobs::JobState::Started:
        return QColor(0x15, 0x65, 0xc0);
    case jobs::JobState::Finished:
        return QColor(0x2e, 0x7d, 0x32);
    case jobs::JobState::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case jobs::JobState::Canceled:
        return QColor(0x8d, 0x6e, 0x63);
    }
    return {};
}

} // namespace vtfarm::ui
