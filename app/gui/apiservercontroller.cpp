#include "apiservercontroller.h"

#include "apiserver.h"
#include "jobmanager.h"
#include "metrics.h"

namespace vtfarm::gui {

ApiServerController::ApiServerController(jobs::JobManager& manager, QString dataDir, QObject* parent)
    : QObject(parent)
    , m_manager(manager)
    , m_dataDir(std::move(dataDir))
    , m_metrics(std::make_unique<metrics::Metrics>())
{
    // For the controller's whole life: the farm counts into it whether the server runs or not.
    m_metrics->attach(&m_manager);
}

ApiServerController::~ApiServerController()
{
    stop();
    m_metrics->detach();
}

Result<void> ApiServerController::apply(const ui::ApiServerSettings& settings)
{
    if (m_server && settings == m_applied)
        return {};
    stop();
    m_applied = settings;
    if (!settings.enabled)
        return {};
    api::ApiServer::Options options;
    options.bindAddress = settings.bindAddress;
    options.port = settings.port;
    options.token = settings.token;
    options.dataDir = m_dataDir;
    m_server = std::make_unique<api::ApiServer>(options, &m_manager, m_metrics.get());
    if (auto r = m_server->start(); !r) {
        stop();
        return r;
    }
    return {};
}

void ApiServerController::stop()
{
    if (m_server) {
        m_server->stop();
        m_server.reset();
    }
}

bool ApiServerController::isRunning() const
{
    return m_server && m_server->isRunning();
}

int ApiServerController::port() const
{
    return m_server ? m_server->port() : 0;
}

} // namespace vtfarm::gui
