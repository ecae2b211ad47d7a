#pragma once

#include "result.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <memory>
#include <string>
#include <vector>

namespace vtfarm::jobs {
class JobManager;
}
namespace vtfarm::media {
class PresetLibrary;
}
namespace vtfarm::metrics {
class Metrics;
}

namespace vtfarm::api {

/// \brief The REST API: the Python service's two routes, `/api/v1/`, health, metrics and the
/// OpenAPI document, served by the event-driven http::HttpServer on its own threads.
///
/// Create, start() and stop() it on the JobManager's thread, with the manager open; that thread
/// must run an event loop while the server runs: handlers hand every change to a job to that thread and wait
/// for it. Reads use the manager's thread-safe queries. Stop the server before the manager is destroyed.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString bindAddress = QStringLiteral("127.0.0.1");
        int port = 8000; ///< 0: any free port (see port())
        /// Required for any address but loopback. When set, every route but /healthz, /metrics
        /// and /openapi.json wants `Authorization: Bearer TOKEN`.
        QString token;
        QString dataDir; ///< uploads go to DATA_DIR/uploads, outputs to DATA_DIR/outputs
        QString inputDir; ///< jobs may name files under it (JSON body); empty: uploads only
        QString presetsDir; ///< user presets; empty: the user's default folder
        qint64 maxUploadBytes = 8LL << 30;
        int maxFormParts = 32;
        qint64 minFreeBytes = 256LL << 20;
        // The HTTP layer's limits (http::Limits); docs/API.md says what each is for.
        int threads = 4; ///< handlers that may block (uploads, the job store) run on this many threads
        int ioThreads = 0; ///< threads that serve the connections themselves; 0: one per two cores
        int maxConnections = 1024; ///< in all; beyond, the oldest idle one goes, else 503
        int maxConnectionsPerAddress = 32; ///< from one client address; beyond, 503
        int headerTimeoutMs = 10'000; ///< a request's whole header, from its first byte
        int maxHeaderBytes = 32 * 1024; ///< beyond, 431
        int maxTargetBytes = 8 * 1024; ///< beyond, 414
        qint64 minBodyBytesPerSecond = 16 * 1024; ///< a body slower than this on average ...
        int bodyRateWindowMs = 30'000; ///< ... over any window this long: 408, the upload removed
        int idleTimeoutMs = 30'000; ///< a keep-alive connection without a request
        int writeTimeoutMs = 30'000; ///< a client that stops reading its answer
        int authFailuresBeforeLockout = 5;
    };
    struct RouteInfo
    {
        std::string method;
        std::string path; ///< the template: /api/v1/jobs/{id}
    };

    ApiServer(
        Options options, jobs::JobManager* manager, metrics::Metrics* metrics, QObject* parent = nullptr);
    ~ApiServer() override;

    /// Binds and starts serving; errors say why (address in use, no token for a public address...).
    Result<void> start();
    /// Stops accepting, ends every connection and waits for the server's threads. Requests still
    /// waiting for the manager's thread are answered 503 (the caller is that thread).
    void stop();
    bool isRunning() const;
    int port() const;

    /// Every route the server answers, for the OpenAPI check and the documentation.
    std::vector<RouteInfo> routes() const;
    /// The OpenAPI 3 document served at /openapi.json.
    static QByteArray openApiDocument();
    /// Whether \a address is a loopback address (127.0.0.0/8, ::1, "localhost").
    static bool isLoopback(const QString& address);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace vtfarm::api
