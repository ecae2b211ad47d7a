#include "appsettings.h"

#include "apiserver.h"

#include <QSettings>
#include <QUrl>

namespace vtfarm::ui {

namespace {

// Bump when a key changes meaning, so old values are not misread.
constexpr int kFormat = 1;

} // namespace

bool ApiServerSettings::isLoopback(const QString& address)
{
    return api::ApiServer::isLoopback(address);
}

AppSettings::AppSettings()
    : m_settings(std::make_unique<QSettings>(
        QSettings::IniFormat, QSettings::UserScope, QStringLiteral("vtfarm"), QStringLiteral("vtfarm")))
{
    m_settings->setValue(QStringLiteral("format"), kFormat);
}

AppSettings::AppSettings(const QString& iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
    m_settings->setValue(QStringLiteral("format"), kFormat);
}

AppSettings::~AppSettings()
{
    m_settings->sync();
}

int AppSettings::workerCount() const
{
    return std::clamp(m_settings->value(QStringLiteral("farm/workers"), 0).toInt(), 0, 64);
}

void AppSettings::setWorkerCount(int n)
{
    m_settings->setValue(QStringLiteral("farm/workers"), std::clamp(n, 0, 64));
}

int AppSettings::threadsPerJob() const
{
    return std::clamp(m_settings->value(QStringLiteral("farm/threadsPerJob"), 0).toInt(), 0, 64);
}

void AppSettings::setThreadsPerJob(int n)
{
    m_settings->setValue(QStringLiteral("farm/threadsPerJob"), std::clamp(n, 0, 64));
}

int AppSettings::stallTimeoutSeconds() const
{
    return std::clamp(m_settings->value(QStringLiteral("farm/stallTimeout"), 120).toInt(), 0, 86'400);
}

void AppSettings::setStallTimeoutSeconds(int seconds)
{
    m_settings->setValue(QStringLiteral("farm/stallTimeout"), std::clamp(seconds, 0, 86'400));
}

QString AppSettings::defaultOutputFolder() const
{
    return m_settings->value(QStringLiteral("output/folder")).toString();
}

void AppSettings::setDefaultOutputFolder(const QString& folder)
{
    m_settings->setValue(QStringLiteral("output/folder"), folder.trimmed());
}

QString AppSettings::namePattern() const
{
    const QString p = m_settings->value(QStringLiteral("output/namePattern")).toString();
    return p.trimmed().isEmpty() ? QStringLiteral("{name}") : p;
}

void AppSettings::setNamePattern(const QString& pattern)
{
    m_settings->setValue(QStringLiteral("output/namePattern"), pattern);
}

AppSettings::OverwritePolicy AppSettings::overwritePolicy() const
{
    return m_settings->value(QStringLiteral("output/overwrite")).toString() == u"overwrite"
        ? OverwritePolicy::Overwrite
        : OverwritePolicy::NewName;
}

void AppSettings::setOverwritePolicy(OverwritePolicy policy)
{
    m_settings->setValue(QStringLiteral("output/overwrite"),
        policy == OverwritePolicy::Overwrite ? QStringLiteral("overwrite") : QStringLiteral("new-name"));
}

QString AppSettings::language() const
{
    return m_settings->value(QStringLiteral("ui/language")).toString();
}

void AppSettings::setLanguage(const QString& language)
{
    m_settings->setValue(QStringLiteral("ui/language"), language);
}

bool AppSettings::notificationsEnabled() const
{
    return m_settings->value(QStringLiteral("notifications/enabled"), true).toBool();
}

void AppSettings::setNotificationsEnabled(bool on)
{
    m_settings->setValue(QStringLiteral("notifications/enabled"), on);
}

ApiServerSettings AppSettings::apiServer() const
{
    ApiServerSettings api;
    api.enabled = m_settings->value(QStringLiteral("api/enabled"), api.enabled).toBool();
    api.bindAddress = m_settings->value(QStringLiteral("api/bindAddress"), api.bindAddress).toString();
    api.port = std::clamp(m_settings->value(QStringLiteral("api/port"), api.port).toInt(), 1, 65535);
    api.token = m_settings->value(QStringLiteral("api/token")).toString();
    return api;
}

void AppSettings::setApiServer(const ApiServerSettings& api)
{
    m_settings->setValue(QStringLiteral("api/enabled"), api.enabled);
    m_settings->setValue(QStringLiteral("api/bindAddress"), api.bindAddress.trimmed());
    m_settings->setValue(QStringLiteral("api/port"), std::clamp(api.port, 1, 65535));
    m_settings->setValue(QStringLiteral("api/token"), api.token);
}

QString FarmSettings::connectionUrl() const
{
    QUrl url(redisUrl.trimmed());
    if (!password.isEmpty())
        url.setPassword(password, QUrl::DecodedMode);
    return url.toString(QUrl::FullyEncoded);
}

FarmSettings AppSettings::farm() const
{
    FarmSettings farm;
    farm.enabled = m_settings->value(QStringLiteral("farm/enabled"), farm.enabled).toBool();
    farm.redisUrl = m_settings->value(QStringLiteral("farm/redis"), farm.redisUrl).toString();
    farm.password = m_settings->value(QStringLiteral("farm/password")).toString();
    farm.leaseSeconds
        = std::clamp(m_settings->value(QStringLiteral("farm/lease"), farm.leaseSeconds).toInt(), 3, 3600);
    return farm;
}

void AppSettings::setFarm(const FarmSettings& farm)
{
    m_settings->setValue(QStringLiteral("farm/enabled"), farm.enabled);
    m_settings->setValue(QStringLiteral("farm/redis"), farm.redisUrl.trimmed());
    m_settings->setValue(QStringLiteral("farm/password"), farm.password);
    m_settings->setValue(QStringLiteral("farm/lease"), std::clamp(farm.leaseSeconds, 3, 3600));
}

QList<WatchFolderSettings> AppSettings::watchFolders() const
{
    QList<WatchFolderSettings> folders;
    const int n = m_settings->beginReadArray(QStringLiteral("watch"));
    for (int i = 0; i < n; ++i) {
        m_settings->setArrayIndex(i);
        WatchFolderSettings w;
        w.folder = m_settings->value(QStringLiteral("folder")).toString();
        w.outputFolder = m_settings->value(QStringLiteral("output")).toString();
        w.preset = m_settings->value(QStringLiteral("preset")).toString();
        w.namePattern = m_settings->value(QStringLiteral("pattern"), w.namePattern).toString();
        w.recursive = m_settings->value(QStringLiteral("recursive"), false).toBool();
        w.settleSeconds = std::clamp(m_settings->value(QStringLiteral("settle"), 5).toInt(), 0, 3600);
        w.paused = m_settings->value(QStringLiteral("paused"), false).toBool();
        if (!w.folder.isEmpty())
            folders.append(w);
    }
    m_settings->endArray();
    return folders;
}

void AppSettings::setWatchFolders(const QList<WatchFolderSettings>& folders)
{
    m_settings->remove(QStringLiteral("watch"));
    m_settings->beginWriteArray(QStringLiteral("watch"), int(folders.size()));
    for (int i = 0; i < folders.size(); ++i) {
        const WatchFolderSettings& w = folders.at(i);
        m_settings->setArrayIndex(i);
        m_settings->setValue(QStringLiteral("folder"), w.folder);
        m_settings->setValue(QStringLiteral("output"), w.outputFolder);
        m_settings->setValue(QStringLiteral("preset"), w.preset);
        m_settings->setValue(QStringLiteral("pattern"), w.namePattern);
        m_settings->setValue(QStringLiteral("recursive"), w.recursive);
        m_settings->setValue(QStringLiteral("settle"), std::clamp(w.settleSeconds, 0, 3600));
        m_settings->setValue(QStringLiteral("paused"), w.paused);
    }
    m_settings->endArray();
}

QString AppSettings::lastPreset() const
{
    return m_settings->value(QStringLiteral("session/preset")).toString();
}

void AppSettings::setLastPreset(const QString& name)
{
    m_settings->setValue(QStringLiteral("session/preset"), name);
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings->value(QStringLiteral("session/geometry")).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray& geometry)
{
    m_settings->setValue(QStringLiteral("session/geometry"), geometry);
}

QByteArray AppSettings::windowState() const
{
    return m_settings->value(QStringLiteral("session/windowState")).toByteArray();
}

void AppSettings::setWindowState(const QByteArray& state)
{
    m_settings->setValue(QStringLiteral("session/windowState"), state);
}

QByteArray AppSettings::queueHeaderState() const
{
    return m_settings->value(QStringLiteral("session/queueHeader")).toByteArray();
}

void AppSettings::setQueueHeaderState(const QByteArray& state)
{
    m_settings->setValue(QStringLiteral("session/queueHeader"), state);
}

QByteArray AppSettings::splitterState() const
{
    return m_settings->value(QStringLiteral("session/splitter")).toByteArray();
}

void AppSettings::setSplitterState(const QByteArray& state)
{
    m_settings->setValue(QStringLiteral("session/splitter"), state);
}

void AppSettings::sync()
{
    m_settings->sync();
}

QString AppSettings::fileName() const
{
    return m_settings->fileName();
}

} // namespace vtfarm::ui
