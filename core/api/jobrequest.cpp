#include "jobrequest.h"

namespace vtfarm::api {

Result<media::SettingsChoice> jobChoice(
    const QJsonObject& fields, const media::PresetLibrary& presets, const QString& defaultContainer)
{
    auto choice = media::chooseSettings(fields, presets);
    if (!choice)
        return choice.error();
    if (choice->container.isEmpty())
        choice->container = defaultContainer;
    if (const QList<Error> errors = media::validate(choice->settings, choice->container); !errors.isEmpty()) {
        Error e = errors.first();
        if (e.field == u"output")
            e.field = QStringLiteral("container");
        return e;
    }
    return choice;
}

jobs::JobSpec jobSpec(const media::SettingsChoice& choice, const QString& input, const QString& outputsDir)
{
    jobs::JobSpec spec;
    spec.input = input;
    spec.outputDir = outputsDir;
    spec.container = choice.container;
    spec.settings = choice.settings;
    spec.presetName = choice.presetName;
    spec.source = jobs::JobSource::Api;
    return spec;
}

Result<void> applyJobFields(const QJsonObject& fields, jobs::JobSpec& spec)
{
    if (!fields.contains(u"split"))
        return {};
    const QJsonValue v = fields.value(u"split");
    if (!v.isString() && !v.isDouble())
        return Error::invalid("split", QStringLiteral("must be auto, off or a number of seconds"));
    const QString split = v.isDouble() ? QString::number(v.toDouble()) : v.toString().trimmed().toLower();
    if (auto seconds = jobs::splitSeconds(split); !seconds)
        return seconds.error();
    spec.split = split;
    return {};
}

} // namespace vtfarm::api
