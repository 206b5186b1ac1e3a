#include "actors/limits/limit_client.hpp"

#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>
#include <caf/scoped_execution_unit.hpp>

namespace cdpd::actors::limits {

namespace {

// The request is enqueued by hand, so the compiler would not see a change
// of the host's interface; this does.
static_assert(
    std::is_same_v<caf::response_type_t<limit_answer_actor::signatures,
                                        limit_atom, limit_query>,
                   caf::detail::type_list<verdict>>,
    "a limiter answers (limit_atom, limit_query) with a verdict");

caf::actor_companion* companion_of(const caf::actor& handle) {
  return static_cast<caf::actor_companion*>(
      caf::actor_cast<caf::abstract_actor*>(handle));
}

/// The hook whose client this thread is inside receive() of, if any.
thread_local const void* receiving = nullptr;

} // namespace

limit_client::limit_client(caf::actor_system& sys, caf::timespan timeout)
    : sys_(&sys), timeout_(timeout),
      // Hidden: it never runs on a worker, so the system must not wait
      // for it at shutdown.
      companion_(sys.spawn<caf::actor_companion, caf::hidden>()) {
  hook_->client = this;
  companion_of(companion_)
      ->on_enqueue([hook = hook_](caf::mailbox_element_ptr x) {
        std::lock_guard<std::recursive_mutex> guard{hook->mtx};
        if (hook->client == nullptr)
          return; // the client is gone
        auto outer = receiving;
        receiving = hook.get();
        hook->client->receive(std::move(x));
        receiving = outer;
      });
}

limit_client::~limit_client() {
  bool inside_receive = receiving == hook_.get();
  {
    // Waits for a receive() under way on another thread; none reaches this
    // client after.
    std::lock_guard<std::recursive_mutex> guard{hook_->mtx};
    hook_->client = nullptr;
  }
  if (!inside_receive) {
    // CAF 0.17 declares actor_companion::disconnect but does not define
    // it, so this is its body. Inside receive() this thread holds the
    // companion's lock, which both would take again: the hook is enough.
    auto* companion = companion_of(companion_);
    companion->on_enqueue(nullptr);
    caf::scoped_execution_unit context{sys_};
    companion->cleanup(caf::exit_reason::user_shutdown, &context);
  }
  std::unordered_map<uint64_t, pending> left;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    left.swap(pending_);
  }
  for (auto& entry : left)
    entry.second.done(caf::make_error(caf::sec::request_receiver_down));
}

void limit_client::ask(const limit_answer_actor& host, limit_query query,
                       reply_handler done) {
  time_point deadline;
  uint64_t id = 0;
  bool arm_now = false;
  bool remote = host && host->node() != sys_->node();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    // Taken under the lock, so deadlines grow with the ids and the tick
    // armed for the oldest check is never late for a newer one.
    deadline = sys_->clock().now() + timeout_;
    id = ++last_id_;
    pending_.emplace(id, pending{deadline, std::move(done),
                                 remote ? host.address() : caf::actor_addr{}});
    arm_now = !armed_;
    armed_ = true;
  }
  if (arm_now)
    arm(deadline);
  // After the check is pending: a proxy that died already (its node was
  // lost before the view moved the host) runs the watch at once and fails
  // the check, where a message to it would vanish until the timeout.
  if (remote)
    watch(host);
  // Outside the lock: a host that is already gone bounces the request
  // into receive() on this very thread.
  caf::actor_cast<caf::strong_actor_ptr>(host)->enqueue(
      caf::actor_cast<caf::strong_actor_ptr>(companion_),
      caf::make_message_id(id),
      caf::make_message(limit_atom::value, std::move(query)), nullptr);
}

void limit_client::receive(caf::mailbox_element_ptr x) {
  if (!x->mid.is_response()) {
    sweep();
    return;
  }
  reply_handler done;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = pending_.find(x->mid.request_id().integer_value());
    if (i == pending_.end())
      return; // answered after its timeout
    done = std::move(i->second.done);
    pending_.erase(i);
  }
  auto& reply = x->content();
  if (reply.match_elements<verdict>())
    done(reply.get_as<verdict>(0));
  else if (reply.match_elements<caf::error>())
    done(reply.get_as<caf::error>(0));
  else
    done(caf::make_error(caf::sec::unexpected_response));
}

void limit_client::sweep() {
  auto now = sys_->clock().now();
  std::vector<reply_handler> expired;
  std::optional<time_point> next;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto i = pending_.begin(); i != pending_.end();) {
      if (i->second.deadline <= now) {
        expired.push_back(std::move(i->second.done));
        i = pending_.erase(i);
        continue;
      }
      if (!next || i->second.deadline < *next)
        next = i->second.deadline;
      ++i;
    }
    armed_ = next.has_value();
  }
  if (next)
    arm(*next);
  for (auto& done : expired)
    done(caf::make_error(caf::sec::request_timeout));
}

void limit_client::watch(const limit_answer_actor& target) {
  auto addr = target.address();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!watched_.insert(addr).second)
      return;
  }
  // Runs on the middleman's thread when the proxy dies (at once when it
  // is dead already), and may outlive this client: hence the hook.
  caf::actor_cast<caf::abstract_actor*>(target)->attach_functor(
      [hook = hook_, addr] {
        std::lock_guard<std::recursive_mutex> guard{hook->mtx};
        if (hook->client != nullptr)
          hook->client->fail_waiting_for(addr);
      });
}

void limit_client::fail_waiting_for(const caf::actor_addr& target) {
  std::vector<reply_handler> failed;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    watched_.erase(target);
    for (auto i = pending_.begin(); i != pending_.end();) {
      if (i->second.target == target) {
        failed.push_back(std::move(i->second.done));
        i = pending_.erase(i);
      } else {
        ++i;
      }
    }
  }
  for (auto& done : failed)
    done(caf::make_error(caf::exit_reason::remote_link_unreachable));
}

void limit_client::arm(time_point at) {
  sys_->clock().schedule_message(
      at, caf::actor_cast<caf::strong_actor_ptr>(companion_),
      caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                tick_atom::value));
}

} // namespace cdpd::actors::limits
