#include "server/http_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace relgraph::server {
namespace {

// As cpp-httplib formats an address: numeric host, port in host order.
void address_of(int sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                      : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  if (addr.ss_family == AF_INET)
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  else if (addr.ss_family == AF_INET6)
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  else
    return;
  std::array<char, NI_MAXHOST> host{};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host.data(),
                    static_cast<socklen_t>(host.size()), nullptr, 0, NI_NUMERICHOST) == 0)
    ip = host.data();
}

int poll_one(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

int millis(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

// One connection's stream, for its whole life (see the header).
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int sock, time_t read_sec, time_t read_usec, time_t write_sec, time_t write_usec)
      : sock_(sock), read_ms_(millis(read_sec, read_usec)), write_ms_(millis(write_sec, write_usec)) {
    address_of(sock, true, remote_ip_, remote_port_);
    address_of(sock, false, local_ip_, local_port_);
    // Sends block (no poll before each); this bounds how long one may wait for the client.
    if (write_sec > 0 || write_usec > 0) {
      timeval tv{};
      tv.tv_sec = write_sec;
      tv.tv_usec = static_cast<suseconds_t>(write_usec);
      ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    in_.resize(kReadBuffer);
  }

  // Waits for the next request: true when bytes (or a hang-up) arrived, false on timeout,
  // on stop (`wake_fd` readable, or `listening` no longer valid).
  bool wait_for_request(time_t timeout_sec, int wake_fd,
                        const std::atomic<socket_t>& listening) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_sec);
    for (;;) {
      if (listening == INVALID_SOCKET) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;  // idle for the keep-alive timeout
      pollfd fds[2] = {{sock_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
      const int n = ::poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(left, 1000)));
      if (n < 0 && errno != EINTR) return false;
      if (n <= 0) continue;
      if (fds[0].revents) {
        readable_ = true;
        return true;
      }
      if (fds[1].revents) return false;
    }
  }

  bool is_readable() const override {
    return in_off_ < in_size_ || poll_one(sock_, POLLIN, read_ms_) > 0;
  }

  bool is_writable() const override {
    if (poll_one(sock_, POLLOUT, write_ms_) <= 0) return false;
    // Alive: nothing to read, or something (not EOF) to read.
    if (poll_one(sock_, POLLIN, 0) == 0) return true;
    char c;
    return ::recv(sock_, &c, 1, MSG_PEEK) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (in_off_ < in_size_) {
      const size_t n = std::min(size, in_size_ - in_off_);
      std::memcpy(ptr, in_.data() + in_off_, n);
      in_off_ += n;
      return static_cast<ssize_t>(n);
    }
    // The client may wait for what was written so far (100 Continue) before it sends more.
    if (!flush()) return -1;
    if (!readable_ && poll_one(sock_, POLLIN, read_ms_) <= 0) return -1;
    readable_ = false;
    if (size >= kReadBuffer) return receive(ptr, size);
    const ssize_t n = receive(in_.data(), kReadBuffer);
    if (n <= 0) return n;
    in_size_ = static_cast<size_t>(n);
    in_off_ = std::min(size, in_size_);
    std::memcpy(ptr, in_.data(), in_off_);
    return static_cast<ssize_t>(in_off_);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (out_.size() + size <= kMaxBuffered) {
      out_.append(ptr, size);
      return static_cast<ssize_t>(size);
    }
    // Too much to copy: send what is buffered and this in one writev.
    iovec iov[2] = {{out_.data(), out_.size()}, {const_cast<char*>(ptr), size}};
    const bool ok = send_all(iov, 2);
    out_.clear();
    return ok ? static_cast<ssize_t>(size) : -1;
  }

  // Forgets bytes read past the end of the request just served, as cpp-httplib's stream per
  // request did: a body the handler did not read (a request refused before its body) must
  // not be taken for a next request.
  void end_request() { in_off_ = in_size_ = 0; }

  // Sends what is buffered. False when the client is gone or too slow.
  bool flush() {
    if (out_.empty()) return true;
    iovec iov{out_.data(), out_.size()};
    const bool ok = send_all(&iov, 1);
    out_.clear();
    return ok;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return sock_; }

 private:
  static constexpr size_t kReadBuffer = 4096;
  static constexpr size_t kMaxBuffered = 64 * 1024;

  ssize_t receive(char* ptr, size_t size) {
    for (;;) {
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  bool send_all(iovec* iov, int count) {
    while (count > 0) {
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(count);
      ssize_t n = ::sendmsg(sock_, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;  // EAGAIN: the write timeout passed
      }
      while (count > 0 && static_cast<size_t>(n) >= iov->iov_len) {
        n -= static_cast<ssize_t>(iov->iov_len);
        ++iov;
        --count;
      }
      if (count > 0) {
        iov->iov_base = static_cast<char*>(iov->iov_base) + n;
        iov->iov_len -= static_cast<size_t>(n);
      }
    }
    return true;
  }

  int sock_;
  int read_ms_, write_ms_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = -1, local_port_ = -1;
  std::vector<char> in_;
  size_t in_off_ = 0, in_size_ = 0;
  bool readable_ = false;  // a poll said so and no recv has happened since
  std::string out_;
};

}  // namespace

HttpServer::HttpServer() : wake_fd_(::eventfd(0, EFD_CLOEXEC)) {}

HttpServer::~HttpServer() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void HttpServer::stop_and_wake() {
  stop();
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    ConnectionStream strm(sock, read_timeout_sec_, read_timeout_usec_, write_timeout_sec_,
                          write_timeout_usec_);
    size_t count = keep_alive_max_count_;
    while (count > 0 && strm.wait_for_request(keep_alive_timeout_sec_, wake_fd_, svr_sock_)) {
      const bool close_connection = count == 1;
      bool connection_closed = false;
      ret = process_request(strm, close_connection, connection_closed, nullptr);
      if (!strm.flush()) ret = false;
      strm.end_request();
      if (!ret || connection_closed) break;
      --count;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace relgraph::server
