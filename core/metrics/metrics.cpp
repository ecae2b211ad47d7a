#include "metrics.h"

#include "farm.h"
#include "jobmanager.h"
#include "mediainfo.h"

#include <QFileInfo>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace vtfarm::metrics {

using jobs::JobState;

namespace {

// Transcodes take from seconds (a short clip) to hours (a film at a slow preset).
const prometheus::Histogram::BucketBoundaries kTranscodeBuckets { 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
    3600, 7200 };
// Most requests take a millisecond; uploads and downloads of large files take minutes.
const prometheus::Histogram::BucketBoundaries kHttpBuckets { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300 };

const char* const kFinalStates[] = { "finished", "failed", "canceled" };
const char* const kAllStates[] = { "queued", "started", "finished", "failed", "canceled" };
const char* const kSources[] = { "gui", "cli", "api", "watch" };
// Outputs worth keeping score from about 0.9 up, where a hundredth is a visible step.
const prometheus::Histogram::BucketBoundaries kSsimBuckets { 0.8, 0.85, 0.9, 0.925, 0.95, 0.96, 0.97, 0.98,
    0.99, 0.995, 1 };
const prometheus::Histogram::BucketBoundaries kPsnrBuckets { 20, 25, 30, 35, 40, 45, 50, 60 };

} // namespace

Metrics::Metrics(QObject* parent)
    : QObject(parent)
    , m_registry(std::make_shared<prometheus::Registry>())
{
    using namespace prometheus;
    Registry& r = *m_registry;
    m_jobsSubmitted = &BuildCounter()
                           .Name("vtfarm_jobs_submitted_total")
                           .Help("Jobs submitted, by who submitted them.")
                           .Register(r);
    m_jobsCompleted = &BuildCounter()
                           .Name("vtfarm_jobs_completed_total")
                           .Help("Jobs that ended, by final state.")
                           .Register(r);
    m_queueJobs = &BuildGauge().Name("vtfarm_queue_jobs").Help("Jobs in the queue, by state.").Register(r);
    m_workersBusy
        = &BuildGauge().Name("vtfarm_workers_busy").Help("Workers transcoding now.").Register(r).Add({});
    m_workersMax = &BuildGauge()
                        .Name("vtfarm_workers_max")
                        .Help("Transcodes that may run at once.")
                        .Register(r)
                        .Add({});
    m_jobsStalled
        = &BuildCounter()
               .Name("vtfarm_jobs_stalled_total")
               .Help("Workers stopped by the stall watchdog: no progress for --stall-timeout seconds.")
               .Register(r)
               .Add({});
    m_workersStalled = &BuildGauge()
                            .Name("vtfarm_workers_stalled")
                            .Help("Workers whose transcode has not moved for 10 s or more.")
                            .Register(r)
                            .Add({});
    m_transcodeDuration = &BuildHistogram()
                               .Name("vtfarm_transcode_duration_seconds")
                               .Help("Wall-clock time of finished transcodes.")
                               .Register(r)
                               .Add({}, kTranscodeBuckets);
    m_encodedFrames = &BuildCounter()
                           .Name("vtfarm_encoded_frames_total")
                           .Help("Video frames written by finished transcodes.")
                           .Register(r)
                           .Add({});
    m_mediaSeconds = &BuildCounter()
                          .Name("vtfarm_media_seconds_total")
                          .Help("Seconds of media written by finished transcodes.")
                          .Register(r)
                          .Add({});
    m_outputSsim = &BuildHistogram()
                        .Name("vtfarm_output_ssim")
                        .Help("SSIM of finished outputs against their inputs, where the quality check ran.")
                        .Register(r)
                        .Add({}, kSsimBuckets);
    m_outputPsnr
        = &BuildHistogram()
               .Name("vtfarm_output_psnr_db")
               .Help("PSNR in dB of finished outputs against their inputs, where the quality check ran.")
               .Register(r)
               .Add({}, kPsnrBuckets);
    m_uploadBytes = &BuildCounter()
                         .Name("vtfarm_upload_bytes_total")
                         .Help("Bytes of media received through the API.")
                         .Register(r)
                         .Add({});
    m_outputBytes = &BuildCounter()
                         .Name("vtfarm_output_bytes_total")
                         .Help("Bytes of output written by finished transcodes.")
                         .Register(r)
                         .Add({});
    m_nodesConnected = &BuildGauge()
                            .Name("vtfarm_nodes_connected")
                            .Help("Nodes of the farm heard from within their time to live.")
                            .Register(r)
                            .Add({});
    m_nodeSlots = &BuildGauge()
                       .Name("vtfarm_node_slots")
                       .Help("Transcodes a node runs at once, by node.")
                       .Register(r);
    m_nodeBusy = &BuildGauge()
                      .Name("vtfarm_node_busy_slots")
                      .Help("Slots of a node transcoding now, by node.")
                      .Register(r);
    m_nodeJobsFinished = &BuildCounter()
                              .Name("vtfarm_node_jobs_finished_total")
                              .Help("Jobs a node finished and delivered, by node.")
                              .Register(r);
    m_jobsDispatched = &BuildCounter()
                            .Name("vtfarm_jobs_dispatched_total")
                            .Help("Jobs handed to the farm's nodes.")
                            .Register(r)
                            .Add({});
    m_jobsReclaimed = &BuildCounter()
                           .Name("vtfarm_jobs_reclaimed_total")
                           .Help("Jobs taken back from a node whose lease expired.")
                           .Register(r)
                           .Add({});
    m_resultsRefused
        = &BuildCounter()
               .Name("vtfarm_results_refused_total")
               .Help("Outputs refused because their attempt was no longer the job's current one.")
               .Register(r)
               .Add({});
    auto& transfer = BuildCounter()
                         .Name("vtfarm_transfer_bytes_total")
                         .Help("Bytes sent to nodes (input) and received from them (output).")
                         .Register(r);
    m_transferToNodes = &transfer.Add({ { "direction", "input" } });
    m_transferFromNodes = &transfer.Add({ { "direction", "output" } });
    m_dispatchLatency = &BuildHistogram()
                             .Name("vtfarm_dispatch_latency_seconds")
                             .Help("From a job's hand-over to the farm until a node took it.")
                             .Register(r)
                             .Add({},
                                 prometheus::Histogram::BucketBoundaries {
                                     0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 });
    m_httpRequests = &BuildCounter()
                          .Name("vtfarm_http_requests_total")
                          .Help("HTTP requests answered, by route template, method and status.")
                          .Register(r);
    m_httpDuration
        = &BuildHistogram()
               .Name("vtfarm_http_request_duration_seconds")
               .Help(
                   "Time from a request's headers to the end of its response, by route template and method.")
               .Register(r);
    BuildGauge()
        .Name("vtfarm_build_info")
        .Help("Always 1; the version of the running program is a label.")
        .Register(r)
        .Add({ { "version", VTFARM_VERSION } })
        .Set(1);
    // Every series exists from the start, so that rate() sees the first increment.
    for (const char* source : kSources)
        m_jobsSubmitted->Add({ { "source", source } });
    for (const char* state : kFinalStates)
        m_jobsCompleted->Add({ { "state", state } });
    for (const char* state : kAllStates)
        m_queueJobs->Add({ { "state", state } });
}

Metrics::~Metrics()
{
    detach();
}

void Metrics::attach(jobs::JobManager* manager)
{
    detach();
    m_manager = manager;
    if (!manager)
        return;
    m_connections.append(connect(manager, &jobs::JobManager::jobAdded, this, &Metrics::onJobAdded));
    m_connections.append(connect(
        manager, &jobs::JobManager::jobStateChanged, this, [this](const QUuid& id, JobState, JobState to) {
            if (jobs::isFinal(to))
                onJobEnded(id, jobs::jobStateName(to));
        }));
    m_connections.append(connect(manager, &jobs::JobManager::jobInterrupted, this,
        [this](const QUuid&, ErrorCode code, const QString&) {
            if (code == ErrorCode::LimitExceeded)
                m_jobsStalled->Increment();
        }));
    m_connections.append(connect(manager, &QObject::destroyed, this, [this] { detach(); }));
}

void Metrics::detach()
{
    for (const auto& c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_manager = nullptr;
}

void Metrics::onJobAdded(const QUuid& id)
{
    const jobs::JobManager* manager = m_manager.load();
    const jobs::Job* job = manager ? manager->find(id) : nullptr;
    if (!job || job->isChild()) // a split job's segments are parts of one job, counted once
        return;
    m_jobsSubmitted->Add({ { "source", jobs::jobSourceName(job->spec.source).toStdString() } }).Increment();
}

void Metrics::onJobEnded(const QUuid& id, const QString& state)
{
    const jobs::JobManager* manager = m_manager.load();
    const jobs::Job* job = manager ? manager->find(id) : nullptr;
    if (job && job->isChild()) // its parent, when it ends, counts the whole job and its output
        return;
    m_jobsCompleted->Add({ { "state", state.toStdString() } }).Increment();
    if (!job || job->state != JobState::Finished)
        return;
    double seconds = 0;
    if (job->startedAt.isValid() && job->endedAt.isValid())
        seconds = std::max<qint64>(0, job->startedAt.msecsTo(job->endedAt)) / 1000.0;
    m_transcodeDuration->Observe(seconds);
    m_encodedFrames->Increment(double(std::max<qint64>(0, job->frames)));
    m_outputBytes->Increment(double(std::max<qint64>(0, job->outputBytes)));
    if (job->quality.ssim)
        m_outputSsim->Observe(*job->quality.ssim);
    if (job->quality.psnr)
        m_outputPsnr->Observe(*job->quality.psnr);
    // The job keeps its speed (media seconds per second of work), not the media's length; the
    // output itself says how long it is. Reading a header costs a millisecond, once per job.
    double mediaSeconds = 0;
    if (auto info = media::probe(job->outputPath); info)
        mediaSeconds = info->durationSeconds;
    else
        mediaSeconds = job->speed * seconds;
    if (mediaSeconds > 0)
        m_mediaSeconds->Increment(mediaSeconds);
}

void Metrics::observeHttpRequest(
    const std::string& route, const std::string& method, int status, double seconds)
{
    // Every request passes here: its series are looked up once, then found by a plain key
    // instead of a label map built and hashed per request.
    std::string key = route;
    key += ' ';
    key += method;
    const std::string byStatus = key + ' ' + std::to_string(status);
    prometheus::Counter* counter = nullptr;
    prometheus::Histogram* histogram = nullptr;
    {
        std::lock_guard lock(m_httpMutex);
        auto& c = m_httpCounters[byStatus];
        if (!c)
            c = &m_httpRequests->Add(
                { { "route", route }, { "method", method }, { "status", std::to_string(status) } });
        auto& h = m_httpHistograms[key];
        if (!h)
            h = &m_httpDuration->Add({ { "route", route }, { "method", method } }, kHttpBuckets);
        counter = c;
        histogram = h;
    }
    counter->Increment();
    histogram->Observe(seconds);
}

void Metrics::setNodes(const QList<jobs::NodeInfo>& nodes)
{
    std::lock_guard lock(m_nodesMutex);
    m_nodesConnected->Set(double(nodes.size()));
    QStringList names;
    for (const jobs::NodeInfo& n : nodes) {
        const std::map<std::string, std::string> labels { { "node", n.name.toStdString() } };
        m_nodeSlots->Add(labels).Set(n.slots);
        m_nodeBusy->Add(labels).Set(n.busy);
        m_nodeJobsFinished->Add(labels);
        names << n.name;
    }
    // A node gone is no longer shown as having slots.
    for (const QString& gone : std::as_const(m_knownNodes)) {
        if (!names.contains(gone)) {
            const std::map<std::string, std::string> labels { { "node", gone.toStdString() } };
            m_nodeSlots->Add(labels).Set(0);
            m_nodeBusy->Add(labels).Set(0);
        }
    }
    for (const QString& n : std::as_const(names)) {
        if (!m_knownNodes.contains(n))
            m_knownNodes << n;
    }
}

void Metrics::nodeJobFinished(const QString& node)
{
    m_nodeJobsFinished->Add({ { "node", node.toStdString() } }).Increment();
}

void Metrics::jobDispatched()
{
    m_jobsDispatched->Increment();
}

void Metrics::jobReclaimed()
{
    m_jobsReclaimed->Increment();
}

void Metrics::resultRefused()
{
    m_resultsRefused->Increment();
}

void Metrics::farmTransfer(bool toNode, qint64 bytes)
{
    if (bytes > 0)
        (toNode ? m_transferToNodes : m_transferFromNodes)->Increment(double(bytes));
}

void Metrics::dispatchLatency(double seconds)
{
    m_dispatchLatency->Observe(seconds);
}

void Metrics::addUploadBytes(qint64 bytes)
{
    if (bytes > 0)
        m_uploadBytes->Increment(double(bytes));
}

void Metrics::refreshQueueGauges() const
{
    // counts() is safe from any thread.
    const jobs::JobManager* manager = m_manager.load();
    if (!manager)
        return;
    const jobs::JobCounts c = manager->counts();
    const std::pair<const char*, int> states[] = { { "queued", c.queued }, { "started", c.started },
        { "finished", c.finished }, { "failed", c.failed }, { "canceled", c.canceled } };
    for (const auto& [state, n] : states)
        m_queueJobs->Add({ { "state", state } }).Set(n);
    m_workersBusy->Set(c.running);
    m_workersMax->Set(c.maxConcurrent);
    m_workersStalled->Set(c.stalled);
}

std::string Metrics::text() const
{
    refreshQueueGauges();
    return prometheus::TextSerializer().Serialize(m_registry->Collect());
}

} // namespace vtfarm::metrics
