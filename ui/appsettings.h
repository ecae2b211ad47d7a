#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <memory>

class QSettings;

namespace vtfarm::ui {

/// \brief What the API server section of the settings holds. The server itself lives in core/api;
/// the window only records the choice and announces it.
struct ApiServerSettings
{
    bool enabled = false;
    QString bindAddress = QStringLiteral("127.0.0.1");
    int port = 8000;
    QString token;

    /// True for 127.0.0.0/8, ::1 and "localhost": nothing beyond this machine can connect.
    static bool isLoopback(const QString& address);
    bool operator==(const ApiServerSettings&) const = default;
};

/// \brief The farm section: this desktop coordinates nodes on other machines through Redis. It
/// needs the API server on (the nodes fetch and deliver files through it) and its token.
struct FarmSettings
{
    bool enabled = false;
    QString redisUrl = QStringLiteral("redis://127.0.0.1:6379");
    QString password; ///< kept out of the URL, so that the URL can be shown
    int leaseSeconds = 30;

    /// The URL with the password in it, as cluster::RedisUrl reads it.
    QString connectionUrl() const;
    bool operator==(const FarmSettings&) const = default;
};

/// \brief A watch folder of the window's settings: the folder names it (core/watch runs it).
struct WatchFolderSettings
{
    QString folder;
    QString outputFolder;
    QString preset; ///< a vtfarm preset's name; empty: the default settings
    QString namePattern = QStringLiteral("{name}");
    bool recursive = false;
    int settleSeconds = 5;
    bool paused = false;
    bool operator==(const WatchFolderSettings&) const = default;
};

/// \brief Every persistent setting of the desktop application, typed, behind one QSettings.
///
/// Defaults live here and nowhere else. Keys are an implementation detail of this class.
class AppSettings
{
public:
    enum class OverwritePolicy
    {
        NewName,
        Overwrite
    };

    /// The user's settings file (~/.config/vtfarm/vtfarm.ini on Linux).
    AppSettings();
    /// An INI file of its own: for tests and for a portable setup.
    explicit AppSettings(const QString& iniFile);
    ~AppSettings();
    AppSettings(const AppSettings&) = delete;
    AppSettings& operator=(const AppSettings&) = delete;

    /// 0: as many as fill the cores (JobManager::defaultConcurrency()).
    int workerCount() const;
    void setWorkerCount(int n);
    /// 0: automatic.
    int threadsPerJob() const;
    void setThreadsPerJob(int n);
    /// A worker that makes no progress for this long is stopped and its job runs again; 0: never.
    int stallTimeoutSeconds() const;
    void setStallTimeoutSeconds(int seconds);
    /// Empty: next to each source file.
    QString defaultOutputFolder() const;
    void setDefaultOutputFolder(const QString& folder);
    QString namePattern() const;
    void setNamePattern(const QString& pattern);
    OverwritePolicy overwritePolicy() const;
    void setOverwritePolicy(OverwritePolicy policy);
    /// The window's language, a QLocale name such as "es"; empty: the system's. Read at start-up.
    QString language() const;
    void setLanguage(const QString& language);
    bool notificationsEnabled() const;
    void setNotificationsEnabled(bool on);

    ApiServerSettings apiServer() const;
    void setApiServer(const ApiServerSettings& api);

    FarmSettings farm() const;
    void setFarm(const FarmSettings& farm);
    QList<WatchFolderSettings> watchFolders() const;
    void setWatchFolders(const QList<WatchFolderSettings>& folders);

    QString lastPreset() const;
    void setLastPreset(const QString& name);
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);
    QByteArray queueHeaderState() const;
    void setQueueHeaderState(const QByteArray& state);
    QByteArray splitterState() const;
    void setSplitterState(const QByteArray& state);

    /// Writes pending changes to disk; also done on destruction.
    void sync();
    QString fileName() const;

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace vtfarm::ui
