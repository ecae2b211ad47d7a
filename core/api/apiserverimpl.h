#pragma once
// What the API server's files share: its state, its answers and the way handlers reach the
// JobManager's thread. apiserver.cpp holds the plumbing, apiroutes.cpp the routes.

#include "apiserver.h"
#include "auth.h"
#include "httpserver.h"
#include "job.h"
#include "presets.h"
#include "uploadform.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QUuid>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>

Q_DECLARE_LOGGING_CATEGORY(lcApi)

namespace vtfarm::api {

/// A function waiting to run on the manager's thread, and its waiter.
struct PendingCall
{
    std::function<void()> fn;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    bool abandoned = false;
};

struct ApiServer::Impl
{
    using StreamAnswer = std::variant<http::Response, std::unique_ptr<http::BodySink>>;
    class OutputSink; // a node's output on its way in (apiroutes.cpp)

    /// A route as the API lists it: the HTTP layer's route, and whether it needs the token.
    struct ApiRoute
    {
        http::Route route;
        bool open = false; ///< answered without a token (health, metrics, the document)
        bool nodesOnly = false; ///< for the farm's nodes: the server must have a token
    };

    Impl(Options options, jobs::JobManager* manager, metrics::Metrics* metrics);

    std::vector<ApiRoute> makeRoutes();

    // routes (apiroutes.cpp)
    StreamAnswer postTranscode(http::Request& req);
    http::Response getStatus(http::Request& req);
    StreamAnswer createJob(http::Request& req);
    http::Response listJobs(http::Request& req);
    http::Response getJob(http::Request& req);
    http::Response cancelJob(http::Request& req);
    http::Response retryJob(http::Request& req);
    http::Response deleteJob(http::Request& req);
    http::Response getOutput(http::Request& req);
    http::Response getPresets(http::Request& req);
    http::Response getHealth(http::Request& req);
    http::Response getMetrics(http::Request& req);
    http::Response getOpenApi(http::Request& req);
    http::Response listNodes(http::Request& req);
    http::Response getInput(http::Request& req);
    StreamAnswer putOutput(http::Request& req);

    // plumbing (apiserver.cpp)
    std::optional<http::Response> admit(const http::Request& req, const http::Route* route);
    void done(const http::Request& req, int status, double seconds);
    /// Runs \a fn on the manager's thread and waits; false when the server stopped first.
    bool onManagerThread(std::function<void()> fn);
    void abandonPendingCalls();
    bool isStopping();
    void removeOrphanUploads();

    // answers
    http::Response error(const Error& error) const;
    http::Response json(int status, const QJsonObject& body) const;
    http::Response stoppingAnswer() const;
    /// The job the request's {id} names, or the 404 to send.
    std::variant<jobs::Job, http::Response> jobFromPath(const http::Request& req) const;
    /// The job the path names, after \a action succeeded on it on the manager's thread; or the
    /// answer to send (not found, refused, stopping).
    std::variant<jobs::Job, http::Response> actOnJob(
        const http::Request& req, Result<void> (jobs::JobManager::*action)(const QUuid&));
    QJsonObject jobJson(const jobs::Job& job) const;
    Result<QUuid> submit(jobs::JobSpec spec);
    /// An upload's form with the server's limits, counting uploaded bytes in the metrics.
    std::unique_ptr<UploadForm> newUploadForm();
    /// Streams a multipart form into a form, then \a done answers with the whole form.
    StreamAnswer readForm(const http::Request& req, std::function<http::Response(UploadForm&)> done);
    Result<QUuid> submitUpload(UploadForm& form, const QJsonObject& fields, const QString& defaultContainer);

    /// A file, or the byte range the request asks of it, as the answer.
    http::Response fileResponse(
        const http::Request& req, const QString& path, const QString& downloadName, const QString& gone);

    QString uploadsDir() const;
    QString outputsDir() const;

    Options options;
    jobs::JobManager* manager;
    metrics::Metrics* metrics;
    std::unique_ptr<media::PresetLibrary> presets;
    std::vector<ApiRoute> routes;
    TokenCheck token;
    AuthThrottle throttle;
    QByteArray openApi;

    std::unique_ptr<http::HttpServer> server;
    int boundPort = 0;

    std::mutex uploadsMutex;
    QSet<QUuid> outputUploads; ///< jobs whose output a node is sending now

    std::mutex callsMutex;
    bool stopping = false;
    std::unordered_set<std::shared_ptr<PendingCall>> pendingCalls;
};

} // namespace vtfarm::api
