#include "apps/cdpd/delivery_subtree.hpp"

#include <utility>

#include "actors/delivery/provider_breaker.hpp"
#include "actors/supervision/policy_from_settings.hpp"
#include "net/email/delivery_message.hpp"
#include "net/email/errc.hpp"

namespace cdpd::app {

namespace {

namespace email = net::email;
using actors::delivery::send_outcome;

send_outcome failure(const caf::error& err) {
  send_outcome out;
  out.result = email::classify(err) == email::failure::retryable
                   ? send_outcome::kind::retryable
                   : send_outcome::kind::permanent;
  out.error = email::describe(err);
  return out;
}

} // namespace

actors::delivery::send_fn
make_email_sender(std::shared_ptr<email::email_provider> provider,
                  std::string from, email::message_links links) {
  return [provider = std::move(provider), from = std::move(from),
          links = std::move(links)](
             const storage::claimed_delivery& d) -> send_outcome {
    auto msg = email::render_delivery(d, from, links);
    if (!msg)
      return failure(msg.error());
    auto receipt = provider->send(*msg);
    if (!receipt)
      return failure(receipt.error());
    send_outcome out;
    out.message_id = receipt->message_id;
    return out;
  };
}

caf::expected<delivery_subtree> make_delivery_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> write_pool,
    const std::string& state_dir,
    std::shared_ptr<actors::supervision_metrics> metrics,
    std::shared_ptr<const net::auth::link_signer> signer,
    std::shared_ptr<const actors::limits::limiter_region> limiter,
    std::shared_ptr<actors::campaigns::campaign_gauges> gauges,
    std::shared_ptr<const actors::cluster::node_lease> membership,
    std::string member, actors::campaigns::campaign_router campaign_route) {
  // The state directory is resolved here, so the default folder is too.
  auto email_settings = s.email;
  if (email_settings.outbox_dir.empty())
    email_settings.outbox_dir = state_dir + "/outbox";
  auto made = email::make_provider(email_settings);
  if (!made)
    return std::move(made.error());
  std::shared_ptr<email::email_provider> provider = std::move(*made);

  actors::delivery::delivery_tree_options tree;
  auto& d = tree.dispatcher;
  d.pool = std::move(write_pool);
  email::message_links links{
      s.delivery.public_url, std::move(signer),
      std::chrono::duration_cast<std::chrono::seconds>(s.delivery.link_ttl)};
  while (!links.public_url.empty() && links.public_url.back() == '/')
    links.public_url.pop_back();
  // The provider is a connector: behind the "connector" policy's breaker.
  auto breaker = std::make_shared<actors::delivery::provider_breaker>(
      actors::policy_from_settings(s.supervision, "connector").breaker);
  d.send = breaker->guard(
      make_email_sender(provider, s.email.from, std::move(links)));
  d.ready = [breaker] { return breaker->ready(); };
  d.throttle.region = std::move(limiter);
  d.throttle.provider = s.email.provider;
  d.throttle.provider_per_second = s.email.rate_per_second;
  d.throttle.campaign_per_minute = s.delivery.campaign_speed;
  d.batch_size = s.delivery.batch_size;
  d.poll_interval = s.delivery.poll_interval;
  d.lease = s.delivery.lease;
  d.membership = std::move(membership);
  d.member = std::move(member);
  d.send_timeout = s.email.timeout;
  d.retry.max_attempts = s.delivery.max_attempts;
  d.retry.backoff = s.delivery.retry_backoff;
  d.retry.max_age = s.delivery.max_age;
  tree.wait_day = s.delivery.wait_day;
  d.flow_exit_on_leave = s.delivery.flow_exit_on_leave;
  tree.dispatchers = s.delivery.dispatchers;
  actors::campaigns::campaign_host_options campaigns;
  campaigns.campaign.timezone = s.delivery.timezone;
  campaigns.campaign.wait_day = s.delivery.wait_day;
  campaigns.campaign.pause_failures = s.delivery.pause_failures;
  campaigns.campaign.default_speed = s.delivery.campaign_speed;
  campaigns.campaign.settle = s.campaigns.settle;
  campaigns.campaign.recheck = s.campaigns.recheck;
  campaigns.campaign.retry = s.campaigns.retry;
  // One campaign step is one storage job: the storage policy's call
  // timeout bounds it everywhere else too.
  campaigns.campaign.db_timeout = s.supervision.storage.call_timeout;
  campaigns.campaign.gauges = std::move(gauges);
  campaigns.poll_interval = s.campaigns.poll_interval;
  campaigns.route = std::move(campaign_route);
  tree.campaigns = std::move(campaigns);
  tree.policy = actors::policy_from_settings(s.supervision, "connector");
  tree.child_policy = tree.policy;
  // "campaigns": the default policy's settings under a name of its own.
  tree.campaign_policy =
      actors::policy_from_settings(s.supervision, "campaigns");
  tree.metrics = std::move(metrics);
  tree.send_timeout = s.email.timeout;

  delivery_subtree out;
  out.stop_bound = actors::delivery::delivery_tree_stop(tree);
  out.child = actors::supervisor_child(actors::delivery::delivery_tree(tree),
                                       out.stop_bound);
  return out;
}

} // namespace cdpd::app
