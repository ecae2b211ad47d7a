#include "singleinstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>

namespace vtfarm::gui {

namespace {

constexpr qint64 kMaxRequestBytes = 4 << 20; // thousands of paths; a larger request is not ours

} // namespace

SingleInstance::SingleInstance(const QString& dataDir, QObject* parent)
    : QObject(parent)
{
    // Short enough for a socket path, distinct per user (runtime folder) and per data folder.
    const QByteArray key
        = QCryptographicHash::hash(QDir(dataDir).absolutePath().toUtf8(), QCryptographicHash::Sha256)
              .toHex()
              .left(16);
    QString dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (dir.isEmpty())
        dir = QDir::tempPath();
    m_name = QDir(dir).filePath(
        QStringLiteral("vtfarm-") + QString::fromLatin1(key) + QStringLiteral(".socket"));
}

SingleInstance::~SingleInstance() = default;

bool SingleInstance::handOver(const QStringList& paths, int timeoutMs) const
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    QJsonArray list;
    for (const QString& p : paths)
        list.append(QFileInfo(p).absoluteFilePath()); // the first instance may have another working folder
    socket.write(QJsonDocument(list).toJson(QJsonDocument::Compact) + '\n');
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    // The acknowledgement: the paths are in the first instance's hands.
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
    }
    return socket.readLine().trimmed() == "ok";
}

bool SingleInstance::listen()
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // A socket file left by a crashed instance: nobody answers on it, so it can go.
        QLocalSocket probe;
        probe.connectToServer(m_name);
        if (probe.waitForConnected(500))
            return false;
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name))
            return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
                if (socket->bytesAvailable() > kMaxRequestBytes) {
                    socket->abort();
                    return;
                }
                if (!socket->canReadLine())
                    return;
                QStringList paths;
                for (const QJsonValue& v : QJsonDocument::fromJson(socket->readLine()).array()) {
                    if (v.isString())
                        paths.append(v.toString());
                }
                socket->write("ok\n");
                socket->flush();
                Q_EMIT activated(paths);
            });
        }
    });
    return true;
}

} // namespace vtfarm::gui
