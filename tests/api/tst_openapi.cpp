// The OpenAPI document: well-formed OpenAPI 3.0, and it describes every route the server answers.

#include "apiserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QTest>

using vtfarm::api::ApiServer;

namespace {

const QStringList kMethods = { "get", "put", "post", "delete", "options", "head", "patch", "trace" };

/// Every "$ref" under \a v.
void collectRefs(const QJsonValue& v, QStringList& refs)
{
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == u"$ref")
                refs << it.value().toString();
            else
                collectRefs(it.value(), refs);
        }
    } else if (v.isArray()) {
        for (const QJsonValue& item : v.toArray())
            collectRefs(item, refs);
    }
}

QJsonValue resolvePointer(const QJsonObject& root, const QString& ref)
{
    if (!ref.startsWith(u"#/"))
        return {};
    QJsonValue at = root;
    for (const QString& part : ref.mid(2).split(u'/')) {
        if (!at.isObject() || !at.toObject().contains(part))
            return {};
        at = at.toObject().value(part);
    }
    return at;
}

} // namespace

class OpenApiTest : public QObject
{
    Q_OBJECT

private:
    QJsonObject m_doc;

private Q_SLOTS:
    void initTestCase()
    {
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(ApiServer::openApiDocument(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY(doc.isObject());
        m_doc = doc.object();
    }

    void isOpenApi3()
    {
        QVERIFY(QRegularExpression(QStringLiteral("^3\\.0\\.\\d+$"))
                    .match(m_doc.value(u"openapi").toString())
                    .hasMatch());
        QVERIFY(!m_doc.value(u"info").toObject().value(u"title").toString().isEmpty());
        QVERIFY(!m_doc.value(u"info").toObject().value(u"version").toString().isEmpty());
        QVERIFY(m_doc.value(u"paths").isObject());
    }

    void everyServedRouteIsDescribed()
    {
        ApiServer server({}, nullptr, nullptr);
        const QJsonObject paths = m_doc.value(u"paths").toObject();
        QSet<QString> served;
        for (const ApiServer::RouteInfo& route : server.routes()) {
            const QString path = QString::fromStdString(route.path);
            const QString method = QString::fromStdString(route.method).toLower();
            served.insert(method + u' ' + path);
            QVERIFY2(paths.contains(path), qPrintable(path));
            QVERIFY2(paths.value(path).toObject().contains(method), qPrintable(method + u' ' + path));
        }
        // ...and nothing is described that is not served.
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            const QJsonObject item = it.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op) {
                if (kMethods.contains(op.key()))
                    QVERIFY2(
                        served.contains(op.key() + u' ' + it.key()), qPrintable(op.key() + u' ' + it.key()));
            }
        }
    }

    void operationsAreComplete()
    {
        const QJsonObject paths = m_doc.value(u"paths").toObject();
        QSet<QString> operationIds;
        static const QRegularExpression templateParam(QStringLiteral("\\{([^}]+)\\}"));
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            QVERIFY2(it.key().startsWith(u'/'), qPrintable(it.key()));
            const QJsonObject item = it.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op) {
                if (!kMethods.contains(op.key()))
                    continue;
                const QJsonObject operation = op.value().toObject();
                const QString where = op.key() + u' ' + it.key();
                const QString id = operation.value(u"operationId").toString();
                QVERIFY2(!id.isEmpty() && !operationIds.contains(id), qPrintable(where));
                operationIds.insert(id);
                const QJsonObject responses = operation.value(u"responses").toObject();
                QVERIFY2(!responses.isEmpty(), qPrintable(where));
                for (auto r = responses.begin(); r != responses.end(); ++r) {
                    QVERIFY2(QRegularExpression(QStringLiteral("^[1-5]\\d\\d$")).match(r.key()).hasMatch(),
                        qPrintable(where + u' ' + r.key()));
                    const QJsonObject response = r.value().toObject();
                    QVERIFY2(response.contains(u"$ref") || response.contains(u"description"),
                        qPrintable(where + u' ' + r.key()));
                }
                // Every {parameter} of the path is declared, on the path or the operation.
                QSet<QString> declared;
                for (const QJsonArray& list :
                    { item.value(u"parameters").toArray(), operation.value(u"parameters").toArray() }) {
                    for (const QJsonValue& p : list) {
                        QJsonObject param = p.toObject();
                        if (param.contains(u"$ref"))
                            param = resolvePointer(m_doc, param.value(u"$ref").toString()).toObject();
                        QVERIFY2(param.contains(u"name") && param.contains(u"in"), qPrintable(where));
                        if (param.value(u"in").toString() == u"path") {
                            QVERIFY(param.value(u"required").toBool());
                            declared.insert(param.value(u"name").toString());
                        }
                    }
                }
                auto m = templateParam.globalMatch(it.key());
                while (m.hasNext()) {
                    const QString name = m.next().captured(1);
                    QVERIFY2(declared.contains(name), qPrintable(where + u": " + name));
                }
            }
        }
    }

    void everyReferenceResolves()
    {
        QStringList refs;
        collectRefs(m_doc, refs);
        QVERIFY(!refs.isEmpty());
        for (const QString& ref : std::as_const(refs))
            QVERIFY2(!resolvePointer(m_doc, ref).isUndefined(), qPrintable(ref));
    }

    void errorShapeMatchesTheServer()
    {
        const QJsonObject error
            = resolvePointer(m_doc, QStringLiteral("#/components/schemas/Error")).toObject();
        const QJsonObject inner = error.value(u"properties")
                                      .toObject()
                                      .value(u"error")
                                      .toObject()
                                      .value(u"properties")
                                      .toObject();
        for (const char* key : { "code", "message", "field" })
            QVERIFY(inner.contains(QLatin1String(key)));
        const QJsonArray codes = inner.value(u"code").toObject().value(u"enum").toArray();
        for (const char* code : { "invalid_argument", "unsupported_input", "not_found", "limit_exceeded",
                 "unauthorized", "storage_full" })
            QVERIFY2(codes.contains(QLatin1String(code)), code);
    }
};

QTEST_GUILESS_MAIN(OpenApiTest)
#include "tst_openapi.moc"
