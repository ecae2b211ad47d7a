#pragma once

#include "redis.h"
#include "result.h"
#include "workerprocess.h"

#include <QHash>
#include <QObject>
#include <QUrl>
#include <QUuid>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

class QJsonObject;
class QNetworkAccessManager;
class QNetworkRequest;
class QTimer;

namespace vtfarm::jobs {
class WorkerBackend;
}

namespace vtfarm::cluster {

class RedisThread;
struct FarmEvent;
struct JobEntry;

/// \brief A node of the farm (`vtfarm-cli node`): takes jobs from the coordinator's Redis,
/// downloads their input from its API, transcodes in worker processes of its own, uploads the
/// output, and takes the next.
///
/// Stateless apart from its work folder. An input stays there while jobs of its key (the
/// segments of one file) come, so that it is downloaded once per node, not once per segment.
/// While it works on a job it renews the job's lease (the entry's idle time in the consumer group)
/// every third of the lease and reports progress at most once a second; it never gives up a job
/// for a lost lease: the coordinator decides, when the output arrives, whether that attempt is
/// still wanted. Lives on the thread that runs its event loop; its Redis connections run on
/// threads of their own.
class NodeRunner : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        RedisUrl redis;
        QUrl server; ///< the coordinator's API
        QString token;
        QString name; ///< the node's name in the farm: its consumer in the group, its hash
        QString workDir;
        int slots = 1;
        int leaseSeconds = 30;
        int graceSeconds = 25;
        jobs::WorkerProcess::Options worker;
    };

    explicit NodeRunner(Options options, QObject* parent = nullptr);
    ~NodeRunner() override;

    /// Checks what it can (the Redis password, the coordinator's protocol, the token), retrying
    /// what may come later (Redis or the coordinator not up yet), then takes jobs. Errors a person
    /// must fix are reported by fatal().
    void start();
    /// Takes no more jobs; finishes the ones it has within the grace, or hands them back; then
    /// stopped(). A second call hands them back at once.
    void stop();

    int busy() const { return int(m_tasks.size()); }

Q_SIGNALS:
    /// The checks passed; jobs are taken from now on.
    void ready();
    /// Something a person must fix (a wrong password, token or version): the node cannot work.
    void fatal(const vtfarm::Error& error);
    /// After stop(): nothing is held any more.
    void stopped();

private:
    struct Task;

    void check();
    void checkServer();
    void begin();
    void onTaken(const QString& entryId, const JobEntry& entry);
    void download(const std::shared_ptr<Task>& task);
    /// Moves a downloaded input to the inputs folder, where later jobs of its key find it.
    void keepInput(const std::shared_ptr<Task>& task);
    /// Removes the inputs that no job reads, but the newest for a while.
    void pruneInputs();
    /// Whether a job here other than \a except reads the kept input at \a path.
    bool inputRead(const QString& path, const Task* except = nullptr) const;
    QString inputsDir() const;
    void transcode(const std::shared_ptr<Task>& task);
    void hash(const std::shared_ptr<Task>& task);
    void upload(const std::shared_ptr<Task>& task);
    void retryLater(const std::shared_ptr<Task>& task, void (NodeRunner::*step)(const std::shared_ptr<Task>&),
        const QString& why);
    void cancel(const QUuid& job, int attempt);
    void handBack(const std::shared_ptr<Task>& task);
    /// Reports \a type for the task (unless None), lets its entry go, and forgets it.
    void end(const std::shared_ptr<Task>& task, int type, const QJsonObject& payload);
    void send(const FarmEvent& event);
    void heartbeat();
    void renewLeases();
    void releaseSlot();
    void finishStopping();
    /// The coordinator refused the token in the middle of work (it was started again with another
    /// one): nothing this node makes can be delivered. Every job goes back at once, for other
    /// nodes, no more are taken, and the node ends with fatal() instead of stopped().
    void tokenRefused(const QString& why);
    QNetworkRequest request(const QString& path) const;

    Options m_options;
    QString m_host;
    QString m_instance; ///< tells this process's hash from an earlier one's of the same name
    QNetworkAccessManager* m_net = nullptr;
    std::shared_ptr<jobs::WorkerBackend> m_workers;
    std::unique_ptr<RedisThread> m_commands;
    std::unique_ptr<RedisThread> m_take;
    std::unique_ptr<RedisThread> m_control;
    QTimer* m_heartbeat = nullptr;
    QTimer* m_leases = nullptr;
    QTimer* m_grace = nullptr;
    QHash<QUuid, std::shared_ptr<Task>> m_tasks;
    qint64 m_jobsDone = 0;
    bool m_started = false;
    bool m_stopping = false;
    bool m_stoppedSent = false;
    std::optional<vtfarm::Error> m_refused; ///< set by tokenRefused()
    std::shared_ptr<bool> m_alive;

    // Shared with the taking thread.
    std::mutex m_slotsMutex;
    std::condition_variable m_slotsCv;
    int m_free = 0;
    bool m_taking = false;
    std::atomic<bool> m_quit { false };
    std::string m_controlCursor = "$"; ///< the control thread's own
};

} // namespace vtfarm::cluster
