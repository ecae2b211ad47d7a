#pragma once

#include "appsettings.h"
#include "result.h"

#include <QObject>
#include <memory>

namespace vtfarm::jobs {
class JobManager;
}
namespace vtfarm::api {
class ApiServer;
}
namespace vtfarm::metrics {
class Metrics;
}

namespace vtfarm::gui {

/// \brief The window's REST API and /metrics: off by default, started, moved and stopped as the
/// settings say, over the same JobManager the window shows.
class ApiServerController : public QObject
{
    Q_OBJECT
public:
    ApiServerController(jobs::JobManager& manager, QString dataDir, QObject* parent = nullptr);
    ~ApiServerController() override;

    /// Stops the server if it runs, then starts it with \a settings when they enable it.
    Result<void> apply(const ui::ApiServerSettings& settings);
    void stop();
    bool isRunning() const;
    int port() const;
    metrics::Metrics* metrics() const { return m_metrics.get(); }

private:
    jobs::JobManager& m_manager;
    QString m_dataDir;
    std::unique_ptr<metrics::Metrics> m_metrics;
    std::unique_ptr<api::ApiServer> m_server;
    ui::ApiServerSettings m_applied;
};

} // namespace vtfarm::gui
