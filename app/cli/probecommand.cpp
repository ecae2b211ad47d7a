#include "commands.h"
#include "mediainfo.h"
#include "settingsoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <cstdio>

namespace vtfarm::cli {

int probeCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate(
        "vtfarm::cli", "Describe a media file: container, duration and streams."));
    p.addHelpOption();
    p.addPositionalArgument("input", QCoreApplication::translate("vtfarm::cli", "The file to describe."));
    p.addOption({ "json", QCoreApplication::translate("vtfarm::cli", "Print JSON instead of text.") });
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("probe"), args, &status))
        return status;
    if (p.positionalArguments().size() != 1) {
        printLine(
            stderr, QCoreApplication::translate("vtfarm::cli", "usage: vtfarm-cli probe INPUT [--json]"));
        return ExitUsage;
    }
    const auto info = media::probe(p.positionalArguments().first());
    if (!info) {
        printErrors({ info.error() });
        return ExitFailed;
    }
    if (p.isSet("json"))
        std::fputs(QJsonDocument(info->toJson()).toJson(QJsonDocument::Indented).constData(), stdout);
    else
        std::fputs(qPrintable(info->toText()), stdout);
    return ExitOk;
}

} // namespace vtfarm::cli
