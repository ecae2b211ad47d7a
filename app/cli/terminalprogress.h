#pragma once

#include <QString>
#include <cstdio>

namespace vtfarm::media {
struct TranscodeProgress;
}

namespace vtfarm::cli {

/// \brief Shows progress on stderr: a bar redrawn in place on a terminal, a plain line every few
/// seconds otherwise (logs, pipes).
class TerminalProgress
{
public:
    explicit TerminalProgress(FILE* stream = stderr);
    void update(const QString& label, const media::TranscodeProgress& progress);
    /// Ends the bar's line on a terminal.
    void finish();
    bool interactive() const { return m_tty; }

    static QString formatDuration(double seconds);
    static QString formatBytes(qint64 bytes);

private:
    FILE* m_stream;
    bool m_tty;
    bool m_drawn = false;
    qint64 m_lastPlainMs = -1;
};

} // namespace vtfarm::cli
