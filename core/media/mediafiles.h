#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <functional>

namespace vtfarm::media {

/// The extensions of video files, lower case: what a folder search picks up and the file dialogs offer.
const QStringList& videoFileExtensions();
/// The extensions of audio files vtfarm reads (an upload's name may end so).
const QStringList& audioFileExtensions();

/// Whether the file name ends like a video file.
bool isVideoFileName(const QString& path);
/// The extension if it is a video or audio one ("mp4"), else empty.
QString mediaExtension(const QString& fileName);
/// "*.mp4 *.m4v ..." for a file dialog's filter.
QString videoFileGlobs();

/// \brief What a search of files and folders found.
struct InputSearch
{
    enum class Reason
    {
        Missing,
        NotVideo,
        Unreadable
    };
    struct Skipped
    {
        QString path;
        Reason reason;
        /// "does not exist", in the user's language.
        QString text() const;
    };
    QStringList files; ///< absolute paths, without duplicates, in the order they were found
    QList<Skipped> skipped;
    bool canceled = false;
};

struct InputSearchOptions
{
    bool recursive = true; ///< into subfolders (and folders that symbolic links lead to)
    /// Asked between entries; true ends the search early (InputSearch::canceled).
    std::function<bool()> canceled;
};

/// Turns files and folders into the files to transcode: a file named directly is taken whatever
/// its name; a folder is searched for video files by their extension, each folder's files in name
/// order, following symbolic links (each folder once: a link loop ends), leaving out hidden and
/// unreadable files. The window's drops, `vtfarm-cli batch` and watch folders all search so.
InputSearch findInputs(const QStringList& paths, const InputSearchOptions& options = {});

} // namespace vtfarm::media
