#include "mediafiles.h"

#include <QCollator>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <algorithm>

namespace vtfarm::media {

const QStringList& videoFileExtensions()
{
    static const QStringList list
        = { "mp4", "m4v", "mkv", "webm", "mov", "avi", "wmv", "asf", "flv", "mpg", "mpeg", "m2v", "ts",
              "m2ts", "mts", "vob", "3gp", "3g2", "ogv", "mxf", "dv", "y4m", "nut", "divx", "f4v" };
    return list;
}

const QStringList& audioFileExtensions()
{
    static const QStringList list = { "m4a", "mp3", "aac", "flac", "wav", "ogg", "opus" };
    return list;
}

bool isVideoFileName(const QString& path)
{
    return videoFileExtensions().contains(QFileInfo(path).suffix().toLower());
}

QString mediaExtension(const QString& fileName)
{
    const QString ext = QFileInfo(fileName).suffix().toLower();
    return videoFileExtensions().contains(ext) || audioFileExtensions().contains(ext) ? ext : QString();
}

QString videoFileGlobs()
{
    QStringList globs;
    for (const QString& ext : videoFileExtensions())
        globs << QStringLiteral("*.") + ext;
    return globs.join(u' ');
}

QString InputSearch::Skipped::text() const
{
    switch (reason) {
    case Reason::Missing:
        return QCoreApplication::translate("vtfarm::media::InputSearch", "does not exist");
    case Reason::NotVideo:
        return QCoreApplication::translate("vtfarm::media::InputSearch", "not a video file");
    case Reason::Unreadable:
        return QCoreApplication::translate("vtfarm::media::InputSearch", "cannot be read");
    }
    return {};
}

namespace {

struct Search
{
    const InputSearchOptions& options;
    InputSearch& result;
    QSet<QString> seenFiles;
    QSet<QString> seenFolders; // canonical: a symbolic link back up the tree is entered once

    bool canceled()
    {
        if (options.canceled && options.canceled())
            result.canceled = true;
        return result.canceled;
    }

    void take(const QString& absolute)
    {
        if (!seenFiles.contains(absolute)) {
            seenFiles.insert(absolute);
            result.files.append(absolute);
        }
    }

    // Every video file under \a folder, in no particular order.
    void walk(const QString& folder, QStringList& found, QList<InputSearch::Skipped>& others)
    {
        const QString canonical = QFileInfo(folder).canonicalFilePath();
        if (canonical.isEmpty() || seenFolders.contains(canonical))
            return;
        seenFolders.insert(canonical);
        const QFileInfoList entries
            = QDir(folder).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo& entry : entries) {
            if (canceled())
                return;
            if (entry.isDir()) {
                if (options.recursive)
                    walk(entry.absoluteFilePath(), found, others);
            } else if (!isVideoFileName(entry.fileName())) {
                others.append({ entry.absoluteFilePath(), InputSearch::Reason::NotVideo });
            } else if (!entry.isReadable()) {
                others.append({ entry.absoluteFilePath(), InputSearch::Reason::Unreadable });
            } else {
                found.append(entry.absoluteFilePath());
            }
        }
    }
};

} // namespace

InputSearch findInputs(const QStringList& paths, const InputSearchOptions& options)
{
    InputSearch result;
    Search search { options, result, {}, {} };
    QCollator order;
    order.setNumericMode(true); // "episode 2" before "episode 10", as file managers show them
    for (const QString& path : paths) {
        if (search.canceled())
            break;
        const QFileInfo info(path);
        if (!info.exists()) {
            result.skipped.append({ path, InputSearch::Reason::Missing });
        } else if (info.isDir()) {
            QStringList found;
            QList<InputSearch::Skipped> others;
            search.walk(info.absoluteFilePath(), found, others);
            std::sort(found.begin(), found.end(),
                [&order](const QString& a, const QString& b) { return order(a, b); });
            for (const QString& file : std::as_const(found))
                search.take(file);
            result.skipped += others;
        } else {
            search.take(info.absoluteFilePath());
        }
    }
    return result;
}

} // namespace vtfarm::media
