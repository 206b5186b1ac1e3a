#include "net/email/outbox_provider.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "net/email/errc.hpp"

namespace cdpd::net::email {

namespace {

caf::error io_failure(const std::string& what, const std::string& path,
                      int error_number) {
  return make_error(errc::retryable,
                    what + " " + path + ": " + std::strerror(error_number));
}

/// Writes `data` to a new file and flushes it to disk; errno on failure.
int write_file(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno;
  std::size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int error_number = errno;
      ::close(fd);
      return error_number;
    }
    done += static_cast<std::size_t>(n);
  }
  int error_number = ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 && error_number == 0)
    error_number = errno;
  return error_number;
}

void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

} // namespace

outbox_provider::outbox_provider(std::string dir) : dir_(std::move(dir)) {}

std::string_view outbox_provider::name() const {
  return "outbox";
}

std::string outbox_provider::path_for(const std::string& message_id) const {
  return dir_ + "/" + message_id.substr(1, message_id.size() - 2) + ".eml";
}

caf::expected<send_receipt> outbox_provider::send(const email_message& msg) {
  auto text = to_mime(msg);
  if (!text)
    return text.error();
  auto id = *effective_message_id(msg);
  if (id.find('/') != std::string::npos)
    return make_error(errc::invalid_message,
                      "message_id contains '/', unusable as a file name");
  send_receipt receipt{"outbox", id, path_for(id), true};
  if (::access(receipt.detail.c_str(), F_OK) == 0) {
    receipt.first_delivery = false;
    return receipt;
  }
  // Unique per process and call, so concurrent sends never share a file;
  // no .eml suffix, so readers of the outbox never pick it up.
  static std::atomic<unsigned long> counter{0};
  auto temp = dir_ + "/.tmp-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter.fetch_add(1));
  if (int error_number = write_file(temp, *text); error_number != 0) {
    ::unlink(temp.c_str());
    return io_failure("cannot write", temp, error_number);
  }
  // link() never replaces an existing file: of two sends of one message
  // exactly one places it.
  if (::link(temp.c_str(), receipt.detail.c_str()) != 0) {
    int error_number = errno;
    ::unlink(temp.c_str());
    if (error_number != EEXIST)
      return io_failure("cannot link", receipt.detail, error_number);
    receipt.first_delivery = false;
    return receipt;
  }
  ::unlink(temp.c_str());
  sync_directory(dir_);
  return receipt;
}

} // namespace cdpd::net::email
