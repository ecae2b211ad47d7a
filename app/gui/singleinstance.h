#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QLocalServer;

namespace vtfarm::gui {

/// \brief One window per data folder: a second launch hands its files to the first and exits.
///
/// The first instance listens on a local socket private to the user, named after the data folder;
/// a later one connects, sends its arguments as absolute paths, and waits for the acknowledgement.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(const QString& dataDir, QObject* parent = nullptr);
    ~SingleInstance() override;

    /// Sends \a paths to a running instance. True when one took them (this launch may exit).
    bool handOver(const QStringList& paths, int timeoutMs = 3000) const;
    /// Starts listening for later launches. False when another instance already listens.
    bool listen();
    QString serverName() const { return m_name; }

Q_SIGNALS:
    /// A later launch asked to show the window and queue these (possibly none).
    void activated(const QStringList& paths);

private:
    void readRequest();
    QString m_name;
    QLocalServer* m_server = nullptr;
};

} // namespace vtfarm::gui
