#pragma once

#include "appsettings.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace vtfarm::ui {

/// \brief The farm's settings: whether this desktop coordinates nodes on other computers, the
/// Redis they take jobs from, and the lease. Part of the settings dialog.
class FarmPage : public QWidget
{
    Q_OBJECT
public:
    explicit FarmPage(QWidget* parent = nullptr);

    void load(const FarmSettings& farm);
    FarmSettings value() const;
    /// What blocks OK, given the API server's part of the dialog; empty when nothing does.
    QString problem(bool apiEnabled, const QString& token) const;

    QCheckBox* enabledBox() const { return m_enabled; }
    QLineEdit* redisEdit() const { return m_redis; }
    QLineEdit* passwordEdit() const { return m_password; }
    QSpinBox* leaseBox() const { return m_lease; }

Q_SIGNALS:
    void changed();

private:
    QCheckBox* m_enabled;
    QLineEdit* m_redis;
    QLineEdit* m_password;
    QSpinBox* m_lease;
};

} // namespace vtfarm::ui
