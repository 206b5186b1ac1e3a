// The change listener: one dedicated connection that LISTENs for
// customer_changes notifications and turns committed log rows into
// shard_changes messages. Reads select log rows by transaction visibility
// against the snapshot of the previous read, so every committed change is
// seen exactly once however commits and seq numbers interleave.
#include "actors/segments/change_listener.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <pqxx/pqxx>

#include "actors/log.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/engine/shard_hash.hpp"
#include "actors/segments/load_columns.hpp"
#include "actors/segments/shard_messages.hpp"
#include "storage/repositories/customer_change_repository.hpp"

namespace cdpd::actors::segments {

namespace {

using steady = std::chrono::steady_clock;
using snapshot_tx =
    pqxx::transaction<pqxx::repeatable_read, pqxx::readwrite_policy::read_only>;

/// Customers re-read per query.
constexpr std::size_t ids_per_query = 10'000;

/// How often old log rows are pruned.
constexpr std::chrono::minutes prune_every{1};

/// Wakes await_notification; the payload carries nothing.
class wake_receiver : public pqxx::notification_receiver {
public:
  explicit wake_receiver(pqxx::connection_base& conn)
      : pqxx::notification_receiver(conn, "customer_changes") {}
  void operator()(const std::string&, int) override {}
};

struct listener_state {
  listener_options options;
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<wake_receiver> receiver;
  std::chrono::milliseconds next_retry{0};
  /// Snapshots of past reads, oldest first: the prune horizon.
  std::deque<std::pair<steady::time_point, std::string>> checkpoints;
  steady::time_point last_checkpoint{};
  static inline const char* name = "segment-change-listener";
};

using listener_ptr = caf::stateful_actor<listener_state>*;

caf::actor shard_actor(caf::actor_system& sys, std::uint32_t index) {
  return caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom_from_string(shard_name(index))));
}

/// Re-reads `ids` in `tx` and hands each shard its part: all to
/// `reply_to` when set (a catch-up of that shard), else to the registered
/// shards. Throws on a
/// failed read.
void deliver(listener_ptr self, pqxx::transaction_base& tx,
             const std::vector<std::string>& ids, const caf::actor& reply_to) {
  auto shards = self->state.options.shards;
  for (std::size_t begin = 0; begin < ids.size() || begin == 0;
       begin += ids_per_query) {
    std::vector<std::string> chunk(
        ids.begin() + static_cast<std::ptrdiff_t>(begin),
        ids.begin() + static_cast<std::ptrdiff_t>(
                          std::min(ids.size(), begin + ids_per_query)));
    auto split = reply_to ? 1U : shards;
    std::vector<engine::customer_columns> fresh;
    if (!chunk.empty()) {
      auto loaded = load_customers(tx, chunk, split);
      if (!loaded)
        throw std::runtime_error(self->system().render(loaded.error()));
      fresh = std::move(*loaded);
    } else {
      fresh.resize(split);
    }
    std::vector<std::vector<std::string>> by_shard(split);
    for (auto& id : chunk)
      by_shard[split == 1 ? 0 : engine::shard_of(id, split)].push_back(id);
    for (std::uint32_t i = 0; i < split; ++i) {
      if (by_shard[i].empty() && !reply_to)
        continue;
      shard_changes msg;
      msg.ids = std::move(by_shard[i]);
      msg.fresh =
          std::make_shared<const engine::customer_columns>(std::move(fresh[i]));
      msg.catch_up = static_cast<bool>(reply_to);
      auto target = reply_to ? reply_to : shard_actor(self->system(), i);
      if (target)
        self->send(target, shard_changes_atom::value, std::move(msg));
    }
    if (ids.empty())
      break;
  }
}

bool connect(listener_ptr self) {
  auto& st = self->state;
  if (st.conn)
    return true;
  try {
    st.conn = std::make_unique<pqxx::connection>(st.options.url);
    st.receiver = std::make_unique<wake_receiver>(*st.conn);
    log()->info("segment changes: listening");
    return true;
  } catch (const std::exception& e) {
    log()->warn("segment changes: cannot connect: {}", e.what());
    st.receiver.reset();
    st.conn.reset();
    return false;
  }
}

void drop_connection(listener_ptr self, const std::string& what) {
  auto& st = self->state;
  log()->warn("segment changes: {}; reconnecting in {} ms", what,
              st.next_retry.count());
  st.receiver.reset();
  st.conn.reset();
}

/// Deletes log rows older than the retention, all of which an earlier read
/// has seen (their transactions ended before that read's snapshot).
void prune(listener_ptr self) {
  auto& st = self->state;
  auto now = steady::now();
  std::string horizon;
  while (!st.checkpoints.empty() &&
         now - st.checkpoints.front().first >= st.options.retention) {
    horizon = std::move(st.checkpoints.front().second);
    st.checkpoints.pop_front();
  }
  if (horizon.empty())
    return;
  pqxx::work tx{*st.conn, "segment_changes_prune"};
  auto pruned = storage::prune_customer_changes(tx, horizon);
  tx.commit();
  if (pruned > 0)
    log()->info("segment changes: pruned {} log rows", pruned);
}

/// Calls every waiter with `passed`.
void finish(std::vector<change_barrier::waiter>& waiters, bool passed) {
  for (auto& done : waiters)
    done(passed);
  waiters.clear();
}

/// Waits up to `timeout` for a notification or a barrier's waiter.
void wait_for_news(listener_ptr self, std::chrono::milliseconds timeout) {
  auto& st = self->state;
  pollfd fds[2] = {{st.conn->sock(), POLLIN, 0},
                   {st.options.barrier->fd(), POLLIN, 0}};
  ::poll(fds, 2, static_cast<int>(timeout.count()));
  // Takes in what arrived on the connection; the read that follows
  // handles it either way.
  st.conn->get_notifs();
}

/// One read: every change committed since the cursor's snapshot.
void read_changes(listener_ptr self) {
  auto& st = self->state;
  auto since = st.options.cursor->get();
  snapshot_tx tx{*st.conn, "segment_changes_read"};
  auto now_snapshot = storage::current_snapshot(tx);
  if (!since.empty()) {
    auto ids = storage::customers_changed_since(tx, since, "TRUE");
    if (!ids.empty())
      deliver(self, tx, ids, caf::actor{});
  }
  tx.commit();
  st.options.cursor->set(now_snapshot);
  auto now = steady::now();
  if (now - st.last_checkpoint >= prune_every) {
    st.last_checkpoint = now;
    st.checkpoints.emplace_back(now, now_snapshot);
    prune(self);
  }
}

void poll(listener_ptr self) {
  auto& st = self->state;
  // Barriers waiting now are passed by this read: its snapshot is taken
  // after they began.
  auto waiters = st.options.barrier->take();
  if (!connect(self)) {
    finish(waiters, false);
    self->delayed_send(self, st.next_retry, listener_poll_atom::value);
    st.next_retry =
        std::min(st.next_retry * 2, std::chrono::milliseconds{30'000});
    return;
  }
  try {
    read_changes(self);
    finish(waiters, true);
    st.next_retry = st.options.retry_delay;
    // A notification that arrived during the read may be for a commit
    // after its snapshot: read again at once. Otherwise wait for one, a
    // barrier or the poll interval.
    if (st.conn->get_notifs() == 0)
      wait_for_news(self, st.options.poll_interval);
    self->send(self, listener_poll_atom::value);
  } catch (const std::exception& e) {
    finish(waiters, false);
    drop_connection(self, e.what());
    self->delayed_send(self, st.next_retry, listener_poll_atom::value);
    st.next_retry =
        std::min(st.next_retry * 2, std::chrono::milliseconds{30'000});
  }
}

void catch_up(listener_ptr self, std::uint32_t shard,
              const std::string& snapshot) {
  auto& st = self->state;
  // Answered through the registry: a request that came through a
  // supervision proxy names the proxy as its sender.
  auto target = shard_actor(self->system(), shard);
  if (!target || snapshot.empty() || shard >= st.options.shards ||
      !connect(self))
    return; // the shard asks again
  try {
    snapshot_tx tx{*st.conn, "segment_changes_catch_up"};
    auto ids = storage::customers_changed_since(
        tx, snapshot,
        engine::shard_predicate_sql("customer_id", shard, st.options.shards));
    deliver(self, tx, ids, target);
    tx.commit();
  } catch (const std::exception& e) {
    drop_connection(self, e.what());
  }
}

caf::behavior change_listener(listener_ptr self, listener_options options) {
  if (!options.cursor)
    options.cursor = std::make_shared<change_cursor>();
  if (!options.barrier)
    options.barrier = std::make_shared<change_barrier>();
  options.shards = std::max<std::uint32_t>(options.shards, 1);
  self->state.options = std::move(options);
  self->state.next_retry = self->state.options.retry_delay;
  self->send(self, listener_poll_atom::value);
  return {
      [self](listener_poll_atom) { poll(self); },
      [self](shard_catch_up_atom, std::uint32_t shard,
             const std::string& snapshot) { catch_up(self, shard, snapshot); },
      // The supervision proxies in front of the shards relay their empty
      // replies to shard_changes.
      [] {},
  };
}

} // namespace

std::string change_cursor::get() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return snapshot_;
}

void change_cursor::set(std::string snapshot) {
  std::lock_guard<std::mutex> lock{mutex_};
  snapshot_ = std::move(snapshot);
}

/// Waiters past this many are refused: the listener is not reading.
constexpr std::size_t max_barrier_waiters = 100'000;

change_barrier::change_barrier()
    : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0)
    throw std::system_error{errno, std::generic_category(),
                            "cannot make the change barrier's eventfd"};
}

change_barrier::~change_barrier() {
  ::close(fd_);
}

void change_barrier::wait(waiter done) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (waiting_.size() < max_barrier_waiters) {
      waiting_.push_back(std::move(done));
      std::uint64_t one = 1;
      // Fails only when the counter is full, which still wakes the
      // listener.
      [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
      return;
    }
  }
  done(false);
}

std::vector<change_barrier::waiter> change_barrier::take() {
  std::lock_guard<std::mutex> lock{mutex_};
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(fd_, &count, sizeof count);
  return std::exchange(waiting_, {});
}

std::string listener_name() {
  return "segs-chg";
}

caf::actor spawn_change_listener(caf::actor_system& sys,
                                 listener_options options) {
  return sys.spawn<caf::detached>(change_listener, std::move(options));
}

} // namespace cdpd::actors::segments
