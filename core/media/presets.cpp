#include "presets.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>
#include <cmath>

static void initPresetResources()
{
    Q_INIT_RESOURCE(presets);
}

namespace vtfarm::media {

namespace {

Result<Preset> readPresetFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error { ErrorCode::IoError, QStringLiteral("Cannot read %1: %2.").arg(path, f.errorString()),
            {} };
    QJsonParseError err {};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return Error { ErrorCode::InvalidArgument,
            QStringLiteral("%1 is not a preset file: %2.").arg(path, err.errorString()), {} };
    return Preset::fromJson(doc.object());
}

} // namespace

QJsonObject Preset::toJson() const
{
    return { { "name", name }, { "description", description }, { "container", container },
        { "settings", settings.toJson() }, { "built_in", builtIn } };
}

Result<Preset> Preset::fromJson(const QJsonObject& o)
{
    Preset p;
    p.name = o.value(u"name").toString().trimmed();
    p.description = o.value(u"description").toString();
    p.container = o.value(u"container").toString(p.container).toLower();
    if (p.name.isEmpty())
        return Error::invalid("name", QStringLiteral("A preset needs a name."));
    if (p.name.size() > 80)
        return Error::invalid("name", QStringLiteral("A preset name has at most 80 characters."));
    auto settings = TranscodeSettings::fromJson(o.value(u"settings").toObject());
    if (!settings)
        return settings.error();
    p.settings = *settings;
    if (const QList<Error> errors = validate(p.settings, p.container); !errors.isEmpty())
        return errors.first();
    return p;
}

PresetLibrary::PresetLibrary(QString userDir)
    : m_userDir(userDir.isEmpty() ? defaultUserDir() : std::move(userDir))
{
    initPresetResources();
    reload();
}

QString PresetLibrary::defaultUserDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("presets"));
}

void PresetLibrary::reload()
{
    m_presets.clear();
    const QDir builtIns(QStringLiteral(":/presets"));
    const QStringList builtInFiles
        = builtIns.entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
    for (const QString& file : builtInFiles) {
        auto preset = readPresetFile(builtIns.filePath(file));
        if (!preset) {
            qWarning(
                "built-in preset %s is invalid: %s", qPrintable(file), qPrintable(preset.error().message));
            continue;
        }
        preset->builtIn = true;
        m_presets.append(*preset);
    }
    // The service's defaults come first.
    std::stable_sort(m_presets.begin(), m_presets.end(), [](const Preset& a, const Preset& b) {
        return a.name == u"H.264 720p 1000k" && b.name != u"H.264 720p 1000k";
    });
    const QDir user(m_userDir);
    for (const QString& file : user.entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name)) {
        auto preset = readPresetFile(user.filePath(file));
        if (!preset) {
            qWarning("user preset %s is invalid and was skipped: %s", qPrintable(user.filePath(file)),
                qPrintable(preset.error().message));
            continue;
        }
        if (find(preset->name))
            continue;
        m_presets.append(*preset);
    }
}

const Preset* PresetLibrary::find(const QString& name) const
{
    for (const Preset& p : m_presets) {
        if (p.name.compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return &p;
    }
    return nullptr;
}

QString PresetLibrary::fileFor(const QString& name) const
{
    // The name may hold any character; the file name is derived, not taken from it.
    const QByteArray hash
        = QCryptographicHash::hash(name.toLower().toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
    return QDir(m_userDir).filePath(QString::fromLatin1(hash) + QStringLiteral(".json"));
}

Result<void> PresetLibrary::save(const Preset& preset)
{
    Preset p = preset;
    p.builtIn = false;
    auto checked = Preset::fromJson(p.toJson());
    if (!checked)
        return checked.error();
    if (const Preset* existing = find(p.name); existing && existing->builtIn)
        return Error::invalid(
            "name", QStringLiteral("'%1' is a built-in preset; choose another name.").arg(p.name));
    if (!QDir().mkpath(m_userDir))
        return Error { ErrorCode::IoError, QStringLiteral("Cannot create %1.").arg(m_userDir), {} };
    QSaveFile f(fileFor(p.name));
    if (!f.open(QIODevice::WriteOnly))
        return Error { ErrorCode::IoError,
            QStringLiteral("Cannot write %1: %2.").arg(f.fileName(), f.errorString()), {} };
    QJsonObject json = p.toJson();
    json.remove(u"built_in");
    f.write(QJsonDocument(json).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return Error { ErrorCode::IoError,
            QStringLiteral("Cannot write %1: %2.").arg(f.fileName(), f.errorString()), {} };
    reload();
    return {};
}

Result<void> PresetLibrary::rename(const QString& from, const QString& to)
{
    const Preset* p = find(from);
    if (!p)
        return Error { ErrorCode::NotFound, QStringLiteral("No preset named '%1'.").arg(from), "name" };
    if (p->builtIn)
        return Error::invalid(
            "name", QStringLiteral("Built-in presets cannot be renamed; save a copy instead."));
    if (const Preset* other = find(to); other && other != p)
        return Error { ErrorCode::AlreadyExists,
            QStringLiteral("A preset named '%1' exists already.").arg(to), "name" };
    Preset renamed = *p;
    renamed.name = to.trimmed();
    const QString oldFile = fileFor(from);
    if (auto r = save(renamed); !r)
        return r;
    if (fileFor(to) != oldFile)
        QFile::remove(oldFile);
    reload();
    return {};
}

Result<void> PresetLibrary::remove(const QString& name)
{
    const Preset* p = find(name);
    if (!p)
        return Error { ErrorCode::NotFound, QStringLiteral("No preset named '%1'.").arg(name), "name" };
    if (p->builtIn)
        return Error::invalid("name", QStringLiteral("Built-in presets cannot be deleted."));
    if (!QFile::remove(fileFor(p->name)))
        return Error { ErrorCode::IoError,
            QStringLiteral("Cannot delete the preset file %1.").arg(fileFor(p->name)), {} };
    reload();
    return {};
}

Result<Preset> PresetLibrary::importFile(const QString& path)
{
    auto preset = readPresetFile(path);
    if (!preset)
        return preset.error();
    if (auto r = save(*preset); !r)
        return r.error();
    return *find(preset->name);
}

Result<void> PresetLibrary::exportFile(const QString& name, const QString& path) const
{
    const Preset* p = find(name);
    if (!p)
        return Error { ErrorCode::NotFound, QStringLiteral("No preset named '%1'.").arg(name), "name" };
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error { ErrorCode::IoError, QStringLiteral("Cannot write %1: %2.").arg(path, f.errorString()),
            {} };
    QJsonObject json = p->toJson();
    json.remove(u"built_in");
    f.write(QJsonDocument(json).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return Error { ErrorCode::IoError, QStringLiteral("Cannot write %1: %2.").arg(path, f.errorString()),
            {} };
    return {};
}

Result<SettingsChoice> chooseSettings(const QJsonObject& fields, const PresetLibrary& presets)
{
    SettingsChoice choice;
    QJsonObject o;
    const auto text = [&](const char* key) -> Result<QString> {
        const QJsonValue v = fields.value(QLatin1String(key));
        if (!v.isString())
            return Error::invalid(QString::fromLatin1(key), QStringLiteral("must be a string"));
        return v.toString();
    };
    bool encoderPreset = false;
    if (fields.contains(u"preset")) {
        auto name = text("preset");
        if (!name)
            return name.error();
        if (const Preset* preset = presets.find(*name)) {
            o = preset->settings.toJson();
            choice.container = preset->container;
            choice.presetName = preset->name;
        } else {
            encoderPreset = true;
        }
    }
    if (fields.contains(u"bitrate") && !fields.contains(u"crf"))
        o.remove(u"crf");
    if (encoderPreset)
        o[u"preset"] = fields.value(u"preset");
    for (const char* key : { "codec", "bitrate", "resolution", "fps", "audio_codec", "audio_bitrate" }) {
        if (!fields.contains(QLatin1String(key)))
            continue;
        auto value = text(key);
        if (!value)
            return value.error();
        o[QLatin1String(key)] = *value;
    }
    for (const char* key : { "crf", "threads" }) {
        if (!fields.contains(QLatin1String(key)))
            continue;
        const QJsonValue v = fields.value(QLatin1String(key));
        bool ok = v.isDouble() && v.toDouble() == std::floor(v.toDouble());
        int n = v.toInt();
        if (v.isString())
            n = v.toString().trimmed().toInt(&ok);
        if (!ok)
            return Error::invalid(QString::fromLatin1(key),
                v.isString() ? QStringLiteral("'%1' is not a whole number").arg(v.toString().left(32))
                             : QStringLiteral("must be a whole number"));
        o[QLatin1String(key)] = n;
    }
    // Seconds as numbers, or times as text ("12.5", "00:01:02.5"), which the settings parse.
    for (const char* key : { "start", "end" }) {
        if (!fields.contains(QLatin1String(key)))
            continue;
        const QJsonValue v = fields.value(QLatin1String(key));
        if (!v.isDouble() && !v.isString())
            return Error::invalid(QString::fromLatin1(key),
                QStringLiteral("must be a number of seconds or a time such as 00:01:02.5"));
        o[QLatin1String(key)] = v;
    }
    const QString codec = o.value(u"codec").toString();
    if ((codec == u"copy" || codec == u"none") && !fields.contains(u"resolution"))
        o[u"resolution"] = QStringLiteral("keep");
    if (fields.contains(u"overwrite"))
        o[u"overwrite"] = fields.value(u"overwrite");
    // A form's fields are text: "true", "1", "yes" and "on" say yes.
    for (const char* key : { "quality_check", "skip_if_larger" }) {
        const QJsonValue v = fields.value(QLatin1String(key));
        if (v.isString()) {
            const QString t = v.toString().trimmed().toLower();
            const bool yes = t == u"true" || t == u"1" || t == u"yes" || t == u"on";
            if (!yes && t != u"false" && t != u"0" && t != u"no" && t != u"off")
                return Error::invalid(QString::fromLatin1(key),
                    QCoreApplication::translate("vtfarm::media::Presets", "'%1' is not true or false")
                        .arg(v.toString().left(32)));
            o[QLatin1String(key)] = yes;
        } else if (!v.isUndefined()) {
            o[QLatin1String(key)] = v;
        }
    }
    if (const QJsonValue v = fields.value(u"min_ssim"); v.isString()) {
        bool ok = false;
        const double x = v.toString().trimmed().toDouble(&ok);
        if (!ok)
            return Error::invalid("min_ssim",
                QCoreApplication::translate("vtfarm::media::Presets", "'%1' is not a number from 0 to 1")
                    .arg(v.toString().left(32)));
        o[u"min_ssim"] = x;
    } else if (!v.isUndefined()) {
        o[u"min_ssim"] = v;
    }
    auto settings = TranscodeSettings::fromJson(o);
    if (!settings)
        return settings.error();
    choice.settings = *settings;
    if (fields.contains(u"container")) {
        auto container = text("container");
        if (!container)
            return container.error();
        choice.container = container->toLower();
    }
    return choice;
}

} // namespace vtfarm::media
