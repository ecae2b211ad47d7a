#include "noderunner.h"

#include "farmprotocol.h"
#include "localworkers.h"
#include "redisthread.h"
#include "workerprotocol.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRegularExpression>
#include <QThreadPool>
#include <QTimer>
#include <algorithm>
#include <thread>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcNode, "vtfarm.node")

namespace vtfarm::cluster {

namespace {

constexpr int kHeartbeatMs = 3000;
constexpr int kNodeTtlMs = 15'000; // the node's hash lives this long without a heartbeat
constexpr int kTakeBlockMs = 1000;
constexpr int kControlBlockMs = 1000;
constexpr int kEventsKept = 10'000;
constexpr int kProgressEveryMs = 1000;
constexpr int kFirstRetryMs = 500;
constexpr int kLongestRetryMs = 10'000;
constexpr int kCheckRetryMs = 2000;
constexpr int kDigestRetries = 5;
// Inputs no job here reads any more: the newest is kept this long, for the next segment of the
// same file; the others go at once.
constexpr int kIdleInputsKept = 1;
constexpr qint64 kIdleInputKeptMs = 10 * 60 * 1000;

/// The per-job folders in the work folder: JOB-aATTEMPT.
const QRegularExpression& taskDirPattern()
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f-]{36}-a[0-9]+$"));
    return re;
}

/// An input key the node can name a file by: a job's id.
bool isInputKey(const QString& key)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f-]{36}$"));
    return re.match(key).hasMatch();
}

void touch(const QString& path)
{
    QFile f(path);
    if (f.open(QIODevice::ReadOnly))
        f.setFileTime(QDateTime::currentDateTime(), QFileDevice::FileModificationTime);
}

/// The API's error message in a reply body, or the HTTP reason.
QString apiMessage(const QByteArray& body, int status)
{
    const QJsonObject e = QJsonDocument::fromJson(body).object().value(u"error").toObject();
    const QString message = e.value(u"message").toString();
    return message.isEmpty() ? QStringLiteral("HTTP %1").arg(status) : message;
}

/// What a person reads when the coordinator at \a where refuses the node's token.
Error tokenRefusal(const QString& where, const QString& why)
{
    return { ErrorCode::InvalidArgument,
        QStringLiteral("The coordinator at %1 refused this node's token: %2 Copy the coordinator's token "
                       "into the token file.")
            .arg(where, why),
        QStringLiteral("token-file") };
}

QString apiField(const QByteArray& body)
{
    return QJsonDocument::fromJson(body).object().value(u"error").toObject().value(u"field").toString();
}

} // namespace

/// A job this node holds, from its entry to its upload.
struct NodeRunner::Task
{
    enum class Phase
    {
        Downloading,
        Transcoding,
        Hashing,
        Uploading,
        Waiting, ///< for a retry
    };
    QUuid job;
    int attempt = 0;
    QString entryId;
    QString name;
    QString container;
    qint64 inputBytes = 0;
    QString inputKey;
    media::TranscodeSettings settings;
    QString dir;
    QString input;
    bool sharedInput = false; ///< input is in the inputs folder, for other jobs of the same key
    QString output;
    Phase phase = Phase::Downloading;
    QPointer<QNetworkReply> reply;
    std::unique_ptr<QFile> file; ///< the input being downloaded
    std::shared_ptr<jobs::WorkerRun> run;
    media::TranscodeReport report;
    QByteArray digest;
    int retryMs = kFirstRetryMs;
    int digestRetries = 0;
    bool leaseLost = false;
    bool cancelAsked = false; ///< the coordinator canceled it
    bool handingBack = false; ///< the node stops: it goes back unfinished
    bool ended = false;
    QElapsedTimer sinceProgress;
    QTimer* retry = nullptr;
};

NodeRunner::NodeRunner(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_host(QHostInfo::localHostName())
    , m_instance(QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_alive(std::make_shared<bool>(true))
{ }

NodeRunner::~NodeRunner()
{
    m_quit = true;
    m_slotsCv.notify_all();
    *m_alive = false;
    m_take.reset();
    m_control.reset();
    m_commands.reset();
    if (m_workers)
        m_workers->shutdown();
}

QNetworkRequest NodeRunner::request(const QString& path) const
{
    QUrl url = m_options.server;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    QNetworkRequest r(url);
    r.setRawHeader("Authorization", "Bearer " + m_options.token.toUtf8());
    r.setTransferTimeout(60'000);
    return r;
}

// ---- start: what can be checked before a job is taken ----------------------------------------

void NodeRunner::start()
{
    m_net = new QNetworkAccessManager(this);
    m_net->setAutoDeleteReplies(true);
    QDir().mkpath(m_options.workDir);
    // What an earlier run of this node left (it was killed): its jobs went back by their lease.
    for (const QString& d : QDir(m_options.workDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (taskDirPattern().match(d).hasMatch())
            QDir(QDir(m_options.workDir).filePath(d)).removeRecursively();
    }
    QDir(inputsDir()).removeRecursively();
    // From the event loop, so that what check() reports can end it.
    QTimer::singleShot(0, this, &NodeRunner::check);
}

void NodeRunner::check()
{
    if (m_stopping) {
        finishStopping();
        return;
    }
    const auto again = [this](const QString& why) {
        qCWarning(lcNode).noquote() << why << "- trying again";
        QTimer::singleShot(kCheckRetryMs, this, &NodeRunner::check);
    };
    auto redis = Redis::connect(m_options.redis, std::chrono::seconds(5));
    if (!redis) {
        // Unreachable may mend itself; a wrong password or database does not.
        if (redis.error().code == ErrorCode::IoError)
            return again(redis.error().message);
        Q_EMIT fatal(redis.error());
        return;
    }
    auto coordinator = (*redis)->command({ "HGETALL", keys::coordinator });
    if (!coordinator)
        return again(coordinator.error().message);
    QString protocol, version, host;
    const RedisValue h = coordinator->value();
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
        if (h.at(i).text() == "protocol")
            protocol = h.at(i + 1).qtext();
        else if (h.at(i).text() == "version")
            version = h.at(i + 1).qtext();
        else if (h.at(i).text() == "host")
            host = h.at(i + 1).qtext();
    }
    if (protocol.isEmpty())
        return again(QStringLiteral("No coordinator has written to %1 yet (vtfarm-cli serve --redis)")
                         .arg(m_options.redis.display()));
    if (protocol.toInt() != kFarmProtocol) {
        Q_EMIT fatal({ ErrorCode::Conflict,
            QStringLiteral(
                "The coordinator on %1 is vtfarm %2 and speaks farm protocol %3; this node is vtfarm "
                "%4 and speaks %5. Run the same version of vtfarm on the coordinator and its nodes.")
                .arg(host, version, protocol, QStringLiteral(VTFARM_VERSION))
                .arg(kFarmProtocol),
            QStringLiteral("redis") });
        return;
    }
    // Two nodes with one name would take each other's jobs: one alive elsewhere is a mistake.
    auto existing = (*redis)->command({ "HMGET", keys::node(m_options.name), "host", "last_seen" });
    if (existing && existing->value().size() == 2 && existing->value().at(0).isString()) {
        const QString otherHost = existing->value().at(0).qtext();
        const qint64 seen = existing->value().at(1).qtext().toLongLong();
        if (otherHost != m_host && QDateTime::currentMSecsSinceEpoch() - seen < kNodeTtlMs) {
            Q_EMIT fatal({ ErrorCode::Conflict,
                QStringLiteral("A node named %1 on host %2 is alive in this farm; give this one another "
                               "--name.")
                    .arg(m_options.name, otherHost),
                QStringLiteral("name") });
            return;
        }
    }
    checkServer();
}

void NodeRunner::checkServer()
{
    QNetworkReply* reply = m_net->get(request(QStringLiteral("/api/v1/nodes")));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        const QString where = m_options.server.toString();
        if (m_stopping) {
            finishStopping();
            return;
        }
        if (status == 401 || status == 403) {
            Q_EMIT fatal(tokenRefusal(where, apiMessage(body, status)));
            return;
        }
        if (status == 200 && !QJsonDocument::fromJson(body).object().value(u"farm").toBool()) {
            Q_EMIT fatal({ ErrorCode::InvalidArgument,
                QStringLiteral("The server at %1 coordinates no farm (it was started without --redis).")
                    .arg(where),
                QStringLiteral("server") });
            return;
        }
        if (status != 200) {
            const QString why = status ? apiMessage(body, status) : reply->errorString();
            qCWarning(lcNode).noquote()
                << QStringLiteral("The coordinator at %1: %2 - trying again").arg(where, why);
            QTimer::singleShot(kCheckRetryMs, this, &NodeRunner::check);
            return;
        }
        begin();
    });
}

void NodeRunner::begin()
{
    m_started = true;
    m_workers = jobs::makeLocalWorkers(m_options.worker);
    {
        std::lock_guard lock(m_slotsMutex);
        m_free = m_options.slots;
        m_taking = true;
    }
    const std::weak_ptr<bool> alive = m_alive;
    const auto post = [this, alive](std::function<void()> fn) {
        QMetaObject::invokeMethod(
            this,
            [alive, fn = std::move(fn)] {
                if (auto a = alive.lock(); a && *a)
                    fn();
            },
            Qt::QueuedConnection);
    };
    const auto status = [this, post](const QString& problem) {
        post([problem, redis = m_options.redis.display()] {
            if (problem.isEmpty())
                qCInfo(lcNode).noquote() << "Redis is back at" << redis;
            else
                qCWarning(lcNode).noquote() << problem;
        });
    };
    m_commands = std::make_unique<RedisThread>(m_options.redis, nullptr, status);

    // Taking: one entry at a time, and only while a slot is free.
    const std::string consumer = m_options.name.toStdString();
    m_take = std::make_unique<RedisThread>(m_options.redis, [this, consumer, post](Redis& redis) {
        {
            std::unique_lock lock(m_slotsMutex);
            m_slotsCv.wait_for(lock, std::chrono::milliseconds(500),
                [this] { return m_quit.load() || (m_taking && m_free > 0); });
            if (m_quit || !m_taking || m_free <= 0)
                return;
        }
        redis.setTimeout(std::chrono::milliseconds(kTakeBlockMs + 5000));
        auto r = redis.command({ "XREADGROUP", "GROUP", keys::group, consumer, "COUNT", "1", "BLOCK",
            std::to_string(kTakeBlockMs), "STREAMS", keys::jobs, ">" });
        if (!r || r->value().isNil())
            return;
        if (r->value().isError()) {
            // No group yet (Redis emptied or restarted without its file): the coordinator makes it.
            std::unique_lock lock(m_slotsMutex);
            m_slotsCv.wait_for(lock, std::chrono::seconds(1), [this] { return m_quit.load(); });
            return;
        }
        const RedisValue streams = r->value();
        for (std::size_t s = 0; s < streams.size(); ++s) {
            for (const StreamEntry& e : streamEntries(streams.at(s).at(1))) {
                auto entry = JobEntry::fromFields(e.fields);
                const QString id = QString::fromStdString(e.id);
                if (!entry) {
                    if (entry.error().code == ErrorCode::Conflict) {
                        post([this, error = entry.error()] { Q_EMIT fatal(error); });
                        return;
                    }
                    // Not a job anyone can run: it goes, with a word in the log.
                    (void)redis.command({ "XACK", keys::jobs, keys::group, e.id });
                    (void)redis.command({ "XDEL", keys::jobs, e.id });
                    post([id, why = entry.error().message] {
                        qCWarning(lcNode).noquote() << "dropped the malformed entry" << id << ":" << why;
                    });
                    continue;
                }
                {
                    std::lock_guard lock(m_slotsMutex);
                    --m_free;
                }
                post([this, id, entry = *entry] { onTaken(id, entry); });
            }
        }
    });

    // What the coordinator asks of this node: cancel.
    const std::string control = keys::control(m_options.name);
    m_control = std::make_unique<RedisThread>(m_options.redis, [this, control, post](Redis& redis) {
        redis.setTimeout(std::chrono::milliseconds(kControlBlockMs + 5000));
        auto r = redis.command({ "XREAD", "COUNT", "100", "BLOCK", std::to_string(kControlBlockMs), "STREAMS",
            control, m_controlCursor });
        if (!r || r->value().isNil() || r->value().isError())
            return;
        const RedisValue streams = r->value();
        for (std::size_t s = 0; s < streams.size(); ++s) {
            for (const StreamEntry& e : streamEntries(streams.at(s).at(1))) {
                m_controlCursor = e.id;
                const FarmEvent asked = FarmEvent::fromFields(e.fields);
                QString type;
                for (std::size_t i = 0; i + 1 < e.fields.size(); i += 2) {
                    if (e.fields.at(i).text() == "type")
                        type = e.fields.at(i + 1).qtext();
                }
                if (type == u"cancel")
                    post([this, job = asked.job, attempt = asked.attempt] { cancel(job, attempt); });
            }
        }
    });

    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(kHeartbeatMs);
    connect(m_heartbeat, &QTimer::timeout, this, [this] {
        heartbeat();
        pruneInputs(); // an input kept for a while goes when its while is over
    });
    m_heartbeat->start();
    heartbeat();
    m_leases = new QTimer(this);
    m_leases->setInterval(std::max(1000, m_options.leaseSeconds * 1000 / 3));
    connect(m_leases, &QTimer::timeout, this, &NodeRunner::renewLeases);
    m_leases->start();
    Q_EMIT ready();
}

// ---- a job, from its entry to its upload ----------------------------------------------------

void NodeRunner::onTaken(const QString& entryId, const JobEntry& entry)
{
    auto task = std::make_shared<Task>();
    task->job = entry.job;
    task->attempt = entry.attempt;
    task->entryId = entryId;
    task->name = entry.name;
    task->container = entry.container.isEmpty() ? QStringLiteral("mp4") : entry.container;
    task->inputBytes = entry.inputBytes;
    task->inputKey = isInputKey(entry.inputKey) ? entry.inputKey : QString();
    task->settings = entry.settings;
    task->dir
        = QDir(m_options.workDir)
              .filePath(
                  QStringLiteral("%1-a%2").arg(entry.job.toString(QUuid::WithoutBraces)).arg(entry.attempt));
    task->input = QDir(task->dir).filePath(QStringLiteral("input"));
    task->output = QDir(task->dir).filePath(QStringLiteral("output.") + task->container);
    if (const auto old = m_tasks.value(task->job)) {
        // The coordinator handed out a later attempt of a job this node still has: the old one is
        // not wanted any more.
        old->cancelAsked = true;
        cancel(old->job, old->attempt);
    }
    m_tasks.insert(task->job, task);
    FarmEvent taken { FarmEvent::Type::Taken, task->job, task->attempt, m_options.name, entryId, {} };
    send(taken);
    qCInfo(lcNode).noquote() << QStringLiteral("took %1 (%2, attempt %3)")
                                    .arg(task->job.toString(QUuid::WithoutBraces), task->name)
                                    .arg(task->attempt);
    if (m_stopping) {
        handBack(task);
        return;
    }
    heartbeat();
    QDir(task->dir).removeRecursively();
    QDir().mkpath(task->dir);
    if (!task->inputKey.isEmpty() && task->inputBytes > 0) {
        const QString kept = QDir(inputsDir()).filePath(task->inputKey);
        if (QFileInfo(kept).size() == task->inputBytes) {
            // Another segment of the same file came here before: its download serves this one.
            task->input = kept;
            task->sharedInput = true;
            touch(kept);
            return transcode(task);
        }
    }
    download(task);
}

void NodeRunner::keepInput(const std::shared_ptr<Task>& task)
{
    if (task->inputKey.isEmpty() || task->sharedInput)
        return;
    const QString kept = QDir(inputsDir()).filePath(task->inputKey);
    if (QFileInfo(kept).size() == task->inputBytes) {
        // Another slot here downloaded the same file meanwhile.
        QFile::remove(task->input);
    } else {
        QDir().mkpath(inputsDir());
        QFile::remove(kept);
        if (!QFile::rename(task->input, kept))
            return; // it stays the job's own
    }
    task->input = kept;
    task->sharedInput = true;
    touch(kept);
}

void NodeRunner::pruneInputs()
{
    QDir dir(inputsDir());
    if (!dir.exists())
        return;
    const QDateTime now = QDateTime::currentDateTime();
    int kept = 0;
    for (const QFileInfo& f : dir.entryInfoList(QDir::Files, QDir::Time)) {
        if (inputRead(f.filePath()))
            continue;
        if (!m_stopping && kept < kIdleInputsKept && f.lastModified().msecsTo(now) < kIdleInputKeptMs) {
            ++kept;
            continue;
        }
        QFile::remove(f.filePath());
    }
}

bool NodeRunner::inputRead(const QString& path, const Task* except) const
{
    return std::any_of(m_tasks.cbegin(), m_tasks.cend(),
        [&](const auto& t) { return t.get() != except && t->sharedInput && t->input == path; });
}

QString NodeRunner::inputsDir() const
{
    return QDir(m_options.workDir).filePath(QStringLiteral("inputs"));
}

void NodeRunner::download(const std::shared_ptr<Task>& task)
{
    qCDebug(lcNode).noquote() << "downloading the input of" << task->job.toString(QUuid::WithoutBraces);
    task->phase = Task::Phase::Downloading;
    task->file = std::make_unique<QFile>(task->input);
    if (!task->file->open(QIODevice::ReadWrite)) {
        end(task, int(FarmEvent::Type::Failed),
            jobs::protocol::outcomeJson({ jobs::WorkerOutcome::Kind::Failed,
                { ErrorCode::IoError,
                    QStringLiteral("The node cannot write its work folder: %1")
                        .arg(task->file->errorString()),
                    {} },
                {} }));
        return;
    }
    const qint64 have = task->file->size();
    task->file->seek(have);
    QNetworkRequest r
        = request(QStringLiteral("/api/v1/jobs/%1/input").arg(task->job.toString(QUuid::WithoutBraces)));
    if (have > 0)
        r.setRawHeader("Range", "bytes=" + QByteArray::number(have) + '-');
    QNetworkReply* reply = m_net->get(r);
    task->reply = reply;
    const std::weak_ptr<Task> weak = task;
    auto rewound = std::make_shared<bool>(false);
    connect(reply, &QNetworkReply::readyRead, this, [reply, weak, have, rewound] {
        auto t = weak.lock();
        if (!t || !t->file)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200 && have > 0 && !*rewound) {
            // The server sent the whole file: it starts again from the beginning.
            t->file->resize(0);
            t->file->seek(0);
            *rewound = true;
        }
        if (status == 200 || status == 206)
            t->file->write(reply->readAll());
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, weak] {
        auto task = weak.lock();
        if (!task || task->ended || task->reply != reply)
            return;
        task->reply.clear();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = (status == 200 || status == 206) ? QByteArray() : reply->readAll();
        if (status == 200 || status == 206)
            task->file->write(reply->readAll());
        task->file->flush();
        const qint64 have = task->file->size();
        task->file.reset();
        if (task->cancelAsked || task->handingBack)
            return handBack(task);
        if (reply->error() == QNetworkReply::NoError && (status == 200 || status == 206)) {
            if (task->inputBytes > 0 && have != task->inputBytes) {
                QFile::remove(task->input);
                return retryLater(task, &NodeRunner::download,
                    QStringLiteral("the input came with %1 bytes, not %2").arg(have).arg(task->inputBytes));
            }
            task->retryMs = kFirstRetryMs;
            keepInput(task);
            return transcode(task);
        }
        if (status == 404 || status == 409) {
            // Removed or ended on the coordinator (canceled, say): nothing to do.
            qCInfo(lcNode).noquote() << "dropped" << task->job.toString(QUuid::WithoutBraces) << ":"
                                     << apiMessage(body, status);
            return end(task, int(FarmEvent::Type::Stopped), {});
        }
        if (status == 401 || status == 403)
            return tokenRefused(apiMessage(body, status));
        if (status == 416)
            QFile::remove(task->input); // what it had is not a prefix of the file any more
        retryLater(task, &NodeRunner::download,
            QStringLiteral("downloading the input: %1")
                .arg(status ? apiMessage(body, status) : reply->errorString()));
    });
}

void NodeRunner::transcode(const std::shared_ptr<Task>& task)
{
    qCDebug(lcNode).noquote() << "transcoding" << task->job.toString(QUuid::WithoutBraces);
    task->phase = Task::Phase::Transcoding;
    jobs::WorkerRequest request;
    request.input = task->input;
    request.output = task->output;
    request.settings = task->settings;
    // The node's file is its own: whatever the coordinator does with its name, here it is new.
    request.settings.overwrite = true;
    request.job = task->job;
    request.attempt = task->attempt;
    const std::weak_ptr<Task> weak = task;
    const std::weak_ptr<bool> alive = m_alive;
    task->sinceProgress.start();
    jobs::WorkerEvents events;
    events.started = [](const QString&) {};
    events.progress = [this, weak, alive](const media::TranscodeProgress& p) {
        QMetaObject::invokeMethod(
            this,
            [this, weak, alive, p] {
                auto a = alive.lock();
                auto t = weak.lock();
                if (!a || !*a || !t || t->ended || t->sinceProgress.elapsed() < kProgressEveryMs)
                    return;
                t->sinceProgress.restart();
                send({ FarmEvent::Type::Progress, t->job, t->attempt, m_options.name, t->entryId,
                    jobs::protocol::progressJson(p) });
            },
            Qt::QueuedConnection);
    };
    events.finished = [this, weak, alive](const jobs::WorkerOutcome& outcome) {
        QMetaObject::invokeMethod(
            this,
            [this, weak, alive, outcome] {
                auto a = alive.lock();
                auto task = weak.lock();
                if (!a || !*a || !task || task->ended)
                    return;
                task->run.reset();
                if (!task->sharedInput)
                    QFile::remove(task->input);
                using Kind = jobs::WorkerOutcome::Kind;
                if (task->cancelAsked || task->handingBack || outcome.kind == Kind::Stopped)
                    return handBack(task);
                if (outcome.kind == Kind::Finished) {
                    task->report = outcome.report;
                    return hash(task);
                }
                // The download may be what failed it: the next attempt here downloads again.
                if (task->sharedInput && !inputRead(task->input, task.get()))
                    QFile::remove(task->input);
                end(task, int(FarmEvent::Type::Failed), jobs::protocol::outcomeJson(outcome));
            },
            Qt::QueuedConnection);
    };
    task->run = m_workers->start(request, std::move(events));
}

void NodeRunner::hash(const std::shared_ptr<Task>& task)
{
    qCDebug(lcNode).noquote() << "hashing the output of" << task->job.toString(QUuid::WithoutBraces);
    task->phase = Task::Phase::Hashing;
    const std::weak_ptr<Task> weak = task;
    const std::weak_ptr<bool> alive = m_alive;
    const QString path = task->output;
    QThreadPool::globalInstance()->start([this, weak, alive, path] {
        QFile f(path);
        QByteArray digest;
        QString problem;
        if (f.open(QIODevice::ReadOnly)) {
            QCryptographicHash h(QCryptographicHash::Sha256);
            if (h.addData(&f))
                digest = h.result().toHex();
            else
                problem = f.errorString();
        } else {
            problem = f.errorString();
        }
        QMetaObject::invokeMethod(
            this,
            [this, weak, alive, digest, problem] {
                auto a = alive.lock();
                auto task = weak.lock();
                if (!a || !*a || !task || task->ended)
                    return;
                task->phase = Task::Phase::Waiting;
                if (task->cancelAsked || task->handingBack)
                    return handBack(task);
                if (digest.isEmpty()) {
                    end(task, int(FarmEvent::Type::Failed),
                        jobs::protocol::outcomeJson({ jobs::WorkerOutcome::Kind::Interrupted,
                            { ErrorCode::IoError,
                                QStringLiteral("The node cannot read its output: %1").arg(problem), {} },
                            {} }));
                    return;
                }
                task->digest = digest;
                upload(task);
            },
            Qt::QueuedConnection);
    });
}

void NodeRunner::upload(const std::shared_ptr<Task>& task)
{
    qCDebug(lcNode).noquote() << "uploading the output of" << task->job.toString(QUuid::WithoutBraces);
    task->phase = Task::Phase::Uploading;
    auto* file = new QFile(task->output);
    if (!file->open(QIODevice::ReadOnly)) {
        delete file;
        end(task, int(FarmEvent::Type::Failed),
            jobs::protocol::outcomeJson({ jobs::WorkerOutcome::Kind::Interrupted,
                { ErrorCode::IoError, QStringLiteral("The node lost its output."), {} }, {} }));
        return;
    }
    QNetworkRequest r
        = request(QStringLiteral("/api/v1/jobs/%1/output").arg(task->job.toString(QUuid::WithoutBraces)));
    // An upload of gigabytes takes as long as it takes; a stalled one is caught by the server.
    r.setTransferTimeout(120'000);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
    r.setHeader(QNetworkRequest::ContentLengthHeader, file->size());
    r.setRawHeader("X-Vtfarm-Attempt", QByteArray::number(task->attempt));
    r.setRawHeader("X-Vtfarm-Sha256", task->digest);
    const jobs::WorkerOutcome done { jobs::WorkerOutcome::Kind::Finished, {}, task->report };
    r.setRawHeader("X-Vtfarm-Report",
        QJsonDocument(jobs::protocol::outcomeJson(done))
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    QNetworkReply* reply = m_net->put(r, file);
    file->setParent(reply);
    task->reply = reply;
    const std::weak_ptr<Task> weak = task;
    connect(reply, &QNetworkReply::finished, this, [this, reply, weak] {
        auto task = weak.lock();
        if (!task || task->ended || task->reply != reply)
            return;
        task->reply.clear();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (task->cancelAsked || task->handingBack)
            return handBack(task);
        if (status == 200) {
            ++m_jobsDone;
            qCInfo(lcNode).noquote() << "delivered" << task->job.toString(QUuid::WithoutBraces) << "attempt"
                                     << task->attempt;
            return end(task, -1, {});
        }
        const QString why = status ? apiMessage(body, status) : reply->errorString();
        if (status == 409 || status == 404) {
            // The coordinator took the job back (this node was silent past its lease) or it was
            // removed: this output is not wanted, and goes.
            qCWarning(lcNode).noquote()
                << "discarded the output of" << task->job.toString(QUuid::WithoutBraces) << "attempt"
                << task->attempt << ":" << why;
            return end(task, -1, {});
        }
        if (status == 401 || status == 403)
            return tokenRefused(why);
        if (status == 400 && apiField(body) == u"X-Vtfarm-Sha256"
            && ++task->digestRetries <= kDigestRetries) {
            qCWarning(lcNode).noquote() << "the output was damaged on the way; hashing and sending it again";
            return hash(task);
        }
        if (status == 422 || status == 413 || status == 400) {
            end(task, int(FarmEvent::Type::Failed),
                jobs::protocol::outcomeJson({ jobs::WorkerOutcome::Kind::Interrupted,
                    { ErrorCode::IoError, QStringLiteral("The coordinator refused the output: %1").arg(why),
                        {} },
                    {} }));
            return;
        }
        // Down, restarting, a full disk: the output waits here until the coordinator takes it.
        retryLater(task, &NodeRunner::upload, QStringLiteral("uploading the output: %1").arg(why));
    });
}

void NodeRunner::retryLater(const std::shared_ptr<Task>& task,
    void (NodeRunner::*step)(const std::shared_ptr<Task>&), const QString& why)
{
    task->phase = Task::Phase::Waiting;
    qCWarning(lcNode).noquote() << QStringLiteral("job %1: %2; again in %3 s")
                                       .arg(task->job.toString(QUuid::WithoutBraces), why)
                                       .arg(task->retryMs / 1000.0, 0, 'f', 1);
    if (!task->retry) {
        task->retry = new QTimer(this);
        task->retry->setSingleShot(true);
    }
    task->retry->disconnect();
    const std::weak_ptr<Task> weak = task;
    connect(task->retry, &QTimer::timeout, this, [this, weak, step] {
        if (auto t = weak.lock(); t && !t->ended)
            (this->*step)(t);
    });
    task->retry->start(task->retryMs);
    task->retryMs = std::min(task->retryMs * 2, kLongestRetryMs);
}

// ---- ending ---------------------------------------------------------------------------------

void NodeRunner::cancel(const QUuid& job, int attempt)
{
    const auto task = m_tasks.value(job);
    if (!task || task->ended || task->attempt > attempt)
        return;
    qCInfo(lcNode).noquote() << "the coordinator canceled" << job.toString(QUuid::WithoutBraces);
    task->cancelAsked = true;
    handBack(task);
}

void NodeRunner::handBack(const std::shared_ptr<Task>& task)
{
    if (task->ended)
        return;
    if (!task->cancelAsked)
        task->handingBack = true;
    // What is under way ends first; each step comes back here when it has.
    if (task->reply) {
        task->reply->abort();
        return;
    }
    if (task->run) {
        task->run->stop();
        return;
    }
    if (task->phase == Task::Phase::Hashing)
        return;
    end(task, int(task->cancelAsked ? FarmEvent::Type::Stopped : FarmEvent::Type::Returned), {});
}

void NodeRunner::end(const std::shared_ptr<Task>& task, int type, const QJsonObject& payload)
{
    if (task->ended)
        return;
    task->ended = true;
    if (task->retry)
        task->retry->deleteLater();
    task->retry = nullptr;
    if (type >= 0)
        send({ FarmEvent::Type(type), task->job, task->attempt, m_options.name, task->entryId, payload });
    // The entry goes: the coordinator knows the end from the event or from the upload.
    if (m_commands && !task->entryId.isEmpty()) {
        const std::string id = task->entryId.toStdString();
        m_commands->post([id](Redis& r) {
            if (!r.command({ "XACK", keys::jobs, keys::group, id }))
                return false;
            return bool(r.command({ "XDEL", keys::jobs, id }));
        });
    }
    QDir(task->dir).removeRecursively();
    if (m_tasks.value(task->job) == task)
        m_tasks.remove(task->job);
    pruneInputs();
    releaseSlot();
    heartbeat();
    if (m_stopping && m_tasks.isEmpty())
        finishStopping();
}

void NodeRunner::releaseSlot()
{
    {
        std::lock_guard lock(m_slotsMutex);
        m_free = std::min(m_free + 1, m_options.slots);
    }
    m_slotsCv.notify_all();
}

void NodeRunner::send(const FarmEvent& event)
{
    if (!m_commands)
        return;
    std::vector<std::string> args { "XADD", keys::events, "MAXLEN", "~", std::to_string(kEventsKept), "*" };
    const auto fields = event.fields();
    args.insert(args.end(), fields.begin(), fields.end());
    m_commands->post([args](Redis& r) { return bool(r.command(args)); });
}

void NodeRunner::heartbeat()
{
    if (!m_commands)
        return;
    const std::string key = keys::node(m_options.name);
    const std::vector<std::string> args { "HSET", key, "name", m_options.name.toStdString(), "host",
        m_host.toStdString(), "slots", std::to_string(m_options.slots), "busy",
        std::to_string(m_tasks.size()), "version", VTFARM_VERSION, "jobs_done", std::to_string(m_jobsDone),
        "last_seen", std::to_string(QDateTime::currentMSecsSinceEpoch()), "instance",
        m_instance.toStdString(), "pid", std::to_string(::getpid()) };
    m_commands->post([args, key](Redis& r) {
        if (!r.command(args))
            return false;
        return bool(r.command({ "PEXPIRE", key, std::to_string(kNodeTtlMs) }));
    });
}

void NodeRunner::renewLeases()
{
    if (!m_commands)
        return;
    const std::string consumer = m_options.name.toStdString();
    for (const auto& task : std::as_const(m_tasks)) {
        if (task->ended || task->entryId.isEmpty())
            continue;
        const std::string id = task->entryId.toStdString();
        const std::weak_ptr<Task> weak = task;
        const std::weak_ptr<bool> alive = m_alive;
        m_commands->post([this, id, consumer, weak, alive](Redis& r) {
            // Claiming one's own entry again resets its idle time: that is the renewal.
            auto claimed = r.command({ "XCLAIM", keys::jobs, keys::group, consumer, "0", id, "JUSTID" });
            if (!claimed)
                return false;
            const bool held = claimed->value().isArray() && claimed->value().size() == 1;
            QMetaObject::invokeMethod(
                this,
                [weak, alive, held] {
                    auto a = alive.lock();
                    auto t = weak.lock();
                    if (!a || !*a || !t || t->ended || held == !t->leaseLost)
                        return;
                    t->leaseLost = !held;
                    if (t->leaseLost)
                        qCWarning(lcNode).noquote()
                            << "job" << t->job.toString(QUuid::WithoutBraces)
                            << "is no longer leased to this node; it goes on, and the coordinator decides "
                               "whether its output is still wanted";
                },
                Qt::QueuedConnection);
            return true;
        });
    }
}

// ---- stopping -------------------------------------------------------------------------------

void NodeRunner::stop()
{
    {
        std::lock_guard lock(m_slotsMutex);
        m_taking = false;
    }
    m_slotsCv.notify_all();
    if (m_stopping) {
        // Asked again: what is left goes back now.
        for (const auto& task : m_tasks.values())
            handBack(task);
        return;
    }
    m_stopping = true;
    if (!m_started || m_tasks.isEmpty()) {
        if (m_started)
            finishStopping();
        // Else check() or checkServer() ends it at its next step.
        return;
    }
    qCInfo(lcNode).noquote() << QStringLiteral("stopping: %1 job(s) get %2 s to finish, then go back")
                                    .arg(m_tasks.size())
                                    .arg(m_options.graceSeconds);
    m_grace = new QTimer(this);
    m_grace->setSingleShot(true);
    connect(m_grace, &QTimer::timeout, this, [this] {
        for (const auto& task : m_tasks.values())
            handBack(task);
    });
    m_grace->start(m_options.graceSeconds * 1000);
}

void NodeRunner::finishStopping()
{
    if (m_stoppedSent)
        return;
    m_stoppedSent = true;
    m_quit = true;
    m_slotsCv.notify_all();
    if (m_heartbeat)
        m_heartbeat->stop();
    if (m_leases)
        m_leases->stop();
    if (m_grace)
        m_grace->stop();
    m_take.reset();
    m_control.reset();
    if (m_commands) {
        // The node leaves the farm's list; what is posted (the last events) gets a moment to go out.
        const std::string key = keys::node(m_options.name);
        m_commands->post([key](Redis& r) { return bool(r.command({ "DEL", key })); });
        std::atomic<bool> flushed { false };
        m_commands->post([&flushed](Redis&) {
            flushed = true;
            return true;
        });
        for (int i = 0; i < 40 && !flushed && m_commands->connected(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        m_commands.reset();
    }
    if (m_workers)
        m_workers->shutdown();
    pruneInputs();
    if (m_refused)
        Q_EMIT fatal(*m_refused);
    else
        Q_EMIT stopped();
}

void NodeRunner::tokenRefused(const QString& why)
{
    if (m_refused)
        return;
    m_refused = tokenRefusal(m_options.server.toString(), why);
    qCWarning(lcNode).noquote() << m_refused->message
                                << QStringLiteral("Handing back %1 job(s).").arg(m_tasks.size());
    {
        std::lock_guard lock(m_slotsMutex);
        m_taking = false;
    }
    m_slotsCv.notify_all();
    m_stopping = true;
    // Each ends now or when what it has under way has stopped; the last one's end finishes.
    for (const auto& task : m_tasks.values())
        handBack(task);
    if (m_tasks.isEmpty())
        finishStopping();
}

} // namespace vtfarm::cluster
