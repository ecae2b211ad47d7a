#pragma once
// Helpers the API tests share: media fixtures made with the ffmpeg CLI, HTTP from a thread that is
// not the main one (whose event loop the server's handlers need), and raw sockets for the requests
// no well-behaved client sends.

#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QString>
#include <QTest>
#include <arpa/inet.h>
#include <chrono>
#include <functional>
#include <future>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace apitest {

/// A clip with video and audio, made by the ffmpeg CLI. Empty on failure.
inline QString makeClip(const QString& dir, const QString& name, const QString& size, int seconds)
{
    const QString path = QDir(dir).filePath(name);
    QProcess ffmpeg;
    ffmpeg.start(QStringLiteral("ffmpeg"),
        { "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            QStringLiteral("testsrc2=size=%1:rate=25:duration=%2").arg(size).arg(seconds), "-f", "lavfi",
            "-i", QStringLiteral("sine=frequency=440:duration=%1:sample_rate=48000").arg(seconds), "-c:v",
            "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path });
    if (!ffmpeg.waitForFinished(60'000) || ffmpeg.exitStatus() != QProcess::NormalExit
        || ffmpeg.exitCode() != 0)
        return {};
    return path;
}

/// Runs \a f on another thread and keeps the main thread's event loop turning until it returns.
template <class F> auto offMainThread(F f) -> decltype(f())
{
    auto future = std::async(std::launch::async, std::move(f));
    while (future.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
        QTest::qWait(2);
    return future.get();
}

/// A response as the tests look at it; status 0 when the request failed.
struct Reply
{
    int status = 0;
    std::string body;
    httplib::Headers headers;
    std::string header(const std::string& name) const
    {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

inline Reply toReply(const httplib::Result& r)
{
    Reply reply;
    if (r) {
        reply.status = r->status;
        reply.body = r->body;
        reply.headers = r->headers;
    }
    return reply;
}

inline httplib::Client client(int port, const std::string& token = {})
{
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    c.set_write_timeout(60, 0);
    if (!token.empty())
        c.set_bearer_token_auth(token.c_str());
    return c;
}

inline Reply get(
    int port, const std::string& path, const std::string& token = {}, httplib::Headers headers = {})
{
    return offMainThread([=] { return toReply(client(port, token).Get(path.c_str(), headers)); });
}

inline Reply post(int port, const std::string& path, const httplib::MultipartFormDataItems& items,
    const std::string& token = {})
{
    return offMainThread([=] { return toReply(client(port, token).Post(path.c_str(), items)); });
}

inline Reply postBody(int port, const std::string& path, const std::string& body, const std::string& type,
    const std::string& token = {})
{
    return offMainThread([=] { return toReply(client(port, token).Post(path.c_str(), body, type.c_str())); });
}

inline Reply del(int port, const std::string& path, const std::string& token = {})
{
    return offMainThread([=] { return toReply(client(port, token).Delete(path.c_str())); });
}

inline std::string readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

inline httplib::MultipartFormData filePart(const std::string& content, const std::string& fileName)
{
    return { "file", content, fileName, "video/mp4" };
}

/// Sends \a head, then whatever \a body writes on the socket (it may stop early), and reads the
/// answer until the server closes the connection or \a timeoutMs passes. Runs off the main thread.
inline std::string rawExchange(
    int port, const std::string& head, std::function<void(int fd)> body = {}, int timeoutMs = 20'000)
{
    return offMainThread([=] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(uint16_t(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return std::string();
        }
        ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
        std::string answer;
        // The body goes out from its own thread so that an answer sent before it ends is read.
        std::thread writer([&] {
            if (body)
                body(fd);
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        char buf[4096];
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p { fd, POLLIN, 0 };
            if (::poll(&p, 1, 50) <= 0)
                continue;
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            answer.append(buf, size_t(n));
        }
        ::shutdown(fd, SHUT_RDWR);
        writer.join();
        ::close(fd);
        return answer;
    });
}

/// Writes \a total bytes of \a chunk-sized pieces, stopping at the first failed write.
inline void sendRepeated(int fd, std::size_t total, std::size_t chunk, bool chunked)
{
    const std::string data(chunk, 'x');
    char sizeLine[32];
    std::snprintf(sizeLine, sizeof sizeLine, "%zx\r\n", chunk);
    for (std::size_t sent = 0; sent < total; sent += chunk) {
        if (chunked && ::send(fd, sizeLine, std::strlen(sizeLine), MSG_NOSIGNAL) < 0)
            return;
        if (::send(fd, data.data(), data.size(), MSG_NOSIGNAL) < 0)
            return;
        if (chunked && ::send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0)
            return;
    }
    if (chunked)
        ::send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
}

inline int statusOf(const std::string& rawAnswer)
{
    // "HTTP/1.1 413 Payload Too Large"
    if (rawAnswer.size() < 12 || rawAnswer.compare(0, 5, "HTTP/") != 0)
        return 0;
    return std::atoi(rawAnswer.c_str() + 9);
}

} // namespace apitest
