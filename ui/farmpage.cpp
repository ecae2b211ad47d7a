#include "farmpage.h"

#include "redis.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

namespace vtfarm::ui {

FarmPage::FarmPage(QWidget* parent)
    : QWidget(parent)
    , m_enabled(new QCheckBox(tr("Let computers running “vtfarm-cli node” take jobs from this queue"), this))
    , m_redis(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_lease(new QSpinBox(this))
{
    m_redis->setPlaceholderText(QStringLiteral("redis://127.0.0.1:6379"));
    m_redis->setToolTip(tr("The Redis the nodes take jobs from: redis://HOST[:PORT][/DB]."));
    m_password->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_password->setPlaceholderText(tr("None"));
    m_lease->setRange(3, 3600);
    m_lease->setSuffix(tr(" s"));
    m_lease->setToolTip(tr("A node that goes this long without renewing its job loses it, and the job runs "
                           "on another node. Give the nodes the same --lease."));
    auto* note = new QLabel(tr("The nodes download inputs and upload outputs through the API server, with "
                               "its access token: the API server must be on. Changes here take effect "
                               "when vtfarm starts again."),
        this);
    note->setWordWrap(true);
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(m_enabled);
    form->addRow(tr("Redis"), m_redis);
    form->addRow(tr("Redis password"), m_password);
    form->addRow(tr("Lease"), m_lease);
    form->addRow(note);

    for (QLineEdit* edit : { m_redis, m_password })
        connect(edit, &QLineEdit::textChanged, this, &FarmPage::changed);
    connect(m_enabled, &QCheckBox::toggled, this, [this](bool on) {
        m_redis->setEnabled(on);
        m_password->setEnabled(on);
        m_lease->setEnabled(on);
        Q_EMIT changed();
    });
    connect(m_lease, &QSpinBox::valueChanged, this, &FarmPage::changed);
}

void FarmPage::load(const FarmSettings& farm)
{
    m_enabled->setChecked(farm.enabled);
    m_redis->setText(farm.redisUrl);
    m_password->setText(farm.password);
    m_lease->setValue(farm.leaseSeconds);
    m_redis->setEnabled(farm.enabled);
    m_password->setEnabled(farm.enabled);
    m_lease->setEnabled(farm.enabled);
}

FarmSettings FarmPage::value() const
{
    FarmSettings farm;
    farm.enabled = m_enabled->isChecked();
    farm.redisUrl = m_redis->text().trimmed().isEmpty() ? farm.redisUrl : m_redis->text().trimmed();
    farm.password = m_password->text();
    farm.leaseSeconds = m_lease->value();
    return farm;
}

QString FarmPage::problem(bool apiEnabled, const QString& token) const
{
    if (!m_enabled->isChecked())
        return {};
    if (auto url = cluster::RedisUrl::parse(value().connectionUrl()); !url)
        return tr("The farm's Redis: %1").arg(url.error().message);
    if (!apiEnabled)
        return tr("A farm needs the API server: its nodes fetch inputs and deliver outputs through it. "
                  "Turn on “Accept jobs over HTTP”.");
    if (token.trimmed().size() < 16)
        return tr("A farm's nodes always send the access token: set one of at least 16 characters "
                  "(Generate makes one).");
    return {};
}

} // namespace vtfarm::ui
