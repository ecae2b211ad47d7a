#include "watchconfig.h"

#include "codecs.h"
#include "presets.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonObject>
#include <cmath>

namespace vtfarm::watch {

namespace {

const QStringList kOwnKeys
    = { "folder", "output", "preset", "pattern", "recursive", "settle", "rescan", "container", "priority" };
const QStringList kSettingsKeys = { "codec", "bitrate", "crf", "resolution", "fps", "audio_codec",
    "audio_bitrate", "threads", "overwrite", "quality_check", "min_ssim", "skip_if_larger" };

std::optional<bool> parseBool(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"true" || t == u"1" || t == u"yes" || t == u"on")
        return true;
    if (t == u"false" || t == u"0" || t == u"no" || t == u"off")
        return false;
    return std::nullopt;
}

/// "5", "2.5" seconds -> milliseconds.
std::optional<int> parseSeconds(const QString& text)
{
    bool ok = false;
    const double seconds = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 86'400)
        return std::nullopt;
    return int(std::lround(seconds * 1000));
}

} // namespace

QStringList watchFolderKeys()
{
    return kOwnKeys + kSettingsKeys;
}

Result<WatchFolderConfig> watchFolderFromFields(const QString& name, const QMap<QString, QString>& fields,
    const media::PresetLibrary& presets, const QString& baseDir)
{
    WatchFolderConfig c;
    c.name = name;
    const QDir base(baseDir.isEmpty() ? QDir::currentPath() : baseDir);
    QJsonObject settingsFields;
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        const QString& key = it.key();
        const QString& value = it.value();
        if (kSettingsKeys.contains(key) || key == u"preset") {
            settingsFields[key] = value;
        } else if (key == u"folder") {
            c.folder = QDir::cleanPath(base.absoluteFilePath(value));
        } else if (key == u"output") {
            c.outputDir = QDir::cleanPath(base.absoluteFilePath(value));
        } else if (key == u"pattern") {
            c.namePattern = value;
        } else if (key == u"recursive") {
            const auto b = parseBool(value);
            if (!b)
                return Error::invalid(key,
                    QCoreApplication::translate("vtfarm::watch::WatchFolder", "'%1' is not true or false")
                        .arg(value));
            c.recursive = *b;
        } else if (key == u"settle" || key == u"rescan") {
            const auto ms = parseSeconds(value);
            if (!ms)
                return Error::invalid(key,
                    QCoreApplication::translate(
                        "vtfarm::watch::WatchFolder", "'%1' is not a number of seconds")
                        .arg(value));
            (key == u"settle" ? c.settleMs : c.rescanMs) = *ms;
        } else if (key == u"priority") {
            bool ok = false;
            c.priority = value.trimmed().toInt(&ok);
            if (!ok)
                return Error::invalid(key,
                    QCoreApplication::translate("vtfarm::watch::WatchFolder", "'%1' is not a whole number")
                        .arg(value));
        } else if (key != u"container") {
            return Error::invalid(key,
                QCoreApplication::translate(
                    "vtfarm::watch::WatchFolder", "'%1' is not a key of a watch folder; the keys are %2")
                    .arg(key, watchFolderKeys().join(QStringLiteral(", "))));
        }
    }
    if (c.folder.isEmpty())
        return Error::invalid(
            "folder", QCoreApplication::translate("vtfarm::watch::WatchFolder", "Name the folder to watch."));
    if (c.outputDir.isEmpty())
        return Error::invalid("output",
            QCoreApplication::translate("vtfarm::watch::WatchFolder", "Name the folder the outputs go to."));
    auto choice = media::chooseSettings(settingsFields, presets);
    if (!choice)
        return choice.error();
    c.settings = choice->settings;
    c.presetName = choice->presetName;
    if (fields.contains(QStringLiteral("container")))
        c.container = fields.value(QStringLiteral("container")).trimmed().toLower();
    else if (!choice->container.isEmpty())
        c.container = choice->container;
    if (const QList<Error> errors = c.validate(); !errors.isEmpty()) {
        Error e = errors.first();
        if (e.field == u"output" && !c.outputDir.isEmpty() && media::findContainer(c.container) == nullptr)
            e.field = QStringLiteral("container");
        return e;
    }
    return c;
}

} // namespace vtfarm::watch
