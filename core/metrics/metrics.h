#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T> class Family;
class Registry;
} // namespace prometheus

namespace vtfarm::jobs {
class JobManager;
struct NodeInfo;
} // namespace vtfarm::jobs

namespace vtfarm::metrics {

/// \brief The one Prometheus registry of a vtfarm process and every metric family in it.
///
/// Counters and histograms may be updated from any thread (prometheus-cpp locks its families);
/// attach() must run on the JobManager's thread. Pass one instance to whoever records something.
class Metrics : public QObject
{
    Q_OBJECT
public:
    explicit Metrics(QObject* parent = nullptr);
    ~Metrics() override;

    /// Follows \a manager's signals for job metrics and reads its counts() for the queue gauges at
    /// each scrape. Stop every server that scrapes before \a manager is destroyed.
    void attach(jobs::JobManager* manager);
    void detach();

    /// One HTTP request: \a route is the route's template (`/api/v1/jobs/{id}`), never the raw path,
    /// so that the number of series stays bounded.
    void observeHttpRequest(const std::string& route, const std::string& method, int status, double seconds);
    void addUploadBytes(qint64 bytes);

    // The farm (cluster::Dispatcher). Thread-safe.
    void setNodes(const QList<jobs::NodeInfo>& nodes);
    void nodeJobFinished(const QString& node);
    void jobDispatched();
    void jobReclaimed();
    void resultRefused();
    void farmTransfer(bool toNode, qint64 bytes);
    void dispatchLatency(double seconds);

    /// The registry in the Prometheus text exposition format (version 0.0.4).
    std::string text() const;
    static const char* contentType() { return "text/plain; version=0.0.4; charset=utf-8"; }

private:
    void onJobAdded(const QUuid& id);
    void onJobEnded(const QUuid& id, const QString& state);
    void refreshQueueGauges() const;

    std::shared_ptr<prometheus::Registry> m_registry;
    std::atomic<jobs::JobManager*> m_manager { nullptr }; // read by scrapes on server threads
    QList<QMetaObject::Connection> m_connections;

    prometheus::Family<prometheus::Counter>* m_jobsSubmitted;
    prometheus::Family<prometheus::Counter>* m_jobsCompleted;
    prometheus::Family<prometheus::Gauge>* m_queueJobs;
    prometheus::Gauge* m_workersBusy;
    prometheus::Gauge* m_workersMax;
    prometheus::Gauge* m_workersStalled;
    prometheus::Counter* m_jobsStalled;
    prometheus::Histogram* m_transcodeDuration;
    prometheus::Counter* m_encodedFrames;
    prometheus::Counter* m_mediaSeconds;
    prometheus::Counter* m_uploadBytes;
    prometheus::Counter* m_outputBytes;
    prometheus::Gauge* m_nodesConnected;
    prometheus::Family<prometheus::Gauge>* m_nodeSlots;
    prometheus::Family<prometheus::Gauge>* m_nodeBusy;
    prometheus::Family<prometheus::Counter>* m_nodeJobsFinished;
    prometheus::Counter* m_jobsDispatched;
    prometheus::Counter* m_jobsReclaimed;
    prometheus::Counter* m_resultsRefused;
    prometheus::Counter* m_transferToNodes;
    prometheus::Counter* m_transferFromNodes;
    prometheus::Histogram* m_dispatchLatency;
    std::mutex m_nodesMutex;
    QStringList m_knownNodes; // whose per-node series exist
    prometheus::Family<prometheus::Counter>* m_httpRequests;
    std::mutex m_httpMutex;
    std::unordered_map<std::string, prometheus::Counter*> m_httpCounters; // "route method status"
    std::unordered_map<std::string, prometheus::Histogram*> m_httpHistograms; // "route method"
    prometheus::Family<prometheus::Histogram>* m_httpDuration;
    prometheus::Histogram* m_outputSsim;
    prometheus::Histogram* m_outputPsnr;
};

} // namespace vtfarm::metrics
