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

/// \brief What a form, a JSON body or a command line asks for: settings, and the container and
/// preset they came with.
struct SettingsChoice
{
    TranscodeSettings settings;
    QString container; ///< the one asked for, else the preset's; empty when neither says
    QString presetName; ///< the vtfarm preset's, or empty
};

/// Reads the fields of a job request over the defaults: codec, bitrate, crf, resolution, fps,
/// preset, audio_codec, audio_bitrate, threads, start, end, overwrite, quality_check, min_ssim,
/// skip_if_larger and container (strings, or numbers for crf, threads, start, end and min_ssim, or
/// true/false). `preset` names a vtfarm preset, whose settings the other fields then override, or else the
/// encoder's own preset (x264 "medium", a VP9/AV1 speed). A bitrate replaces a preset's constant quality;
/// copying or dropping the video keeps its size. The API and the command line both read their requests so.
/// Not checked against the container.
Result<SettingsChoice> chooseSettings(const QJsonObject& fields, const PresetLibrary& presets);

} // namespace vtfarm::media
