#include "icons.h"

// A static library's resources are not registered on their own; the first icon asked for does it.
static void initIconResources()
{
    Q_INIT_RESOURCE(icons);
}

namespace vtfarm::ui {

QIcon icon(const QString& name)
{
    static const bool registered = [] {
        initIconResources();
        return true;
    }();
    Q_UNUSED(registered)
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
}

} // namespace vtfarm::ui
