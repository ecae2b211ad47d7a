#pragma once

#include "result.h"
#include "transcodesettings.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace vtfarm::media {

/// \brief A named set of settings and the container they go in.
struct Preset
{
    QString name;
    QString description;
    QString container = QStringLiteral("mp4");
    TranscodeSettings settings;
    bool builtIn = false;

    QJsonObject toJson() const;
    /// Reads and validates a preset; errors name the field.
    static Result<Preset> fromJson(const QJsonObject& json);
};

/// \brief The built-in presets (compiled in from resources/presets) and the user's own, kept as
/// one JSON file each in a folder.
class PresetLibrary
{
public:
    /// \a userDir defaults to the user's vtfarm data folder + "/presets".
    explicit PresetLibrary(QString userDir = {});

    const QList<Preset>& presets() const { return m_presets; }
    /// By name, ignoring case; nullptr when there is none.
    const Preset* find(const QString& name) const;
    QString userDir() const { return m_userDir; }

    /// Adds or replaces a user preset. Built-in names are taken.
    Result<void> save(const Preset& preset);
    Result<void> rename(const QString& from, const QString& to);
    Result<void> remove(const QString& name);
    /// Reads a preset file (as exported) and saves it as a user preset.
    Result<Preset> importFile(const QString& path);
    Result<void> exportFile(const QString& name, const QString& path) const;

    static QString defaultUserDir();

private:
    void reload();
    QString fileFor(const QString& name) const;
    QString m_userDir;
    QList<Preset> m_presets;
};

} // namespace vtfarm::media
