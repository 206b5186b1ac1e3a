#include "apps/cdpd/delivery_subtree.hpp"

#include <algorithm>
#include <utility>

#include "actors/delivery/provider_breaker.hpp"
#include "actors/supervision/policy_from_settings.hpp"
#include "net/email/errc.hpp"
#include "net/email/message.hpp"
#include "net/email/template.hpp"
#include "net/uri.hpp"

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

email::email_settings to_email_settings(const config::email_settings& in,
                                        const std::string& state_dir) {
  email::email_settings out;
  out.provider = in.provider;
  out.smtp_url = in.smtp_url;
  out.http_url = in.http_url;
  out.http_api_key = in.http_api_key;
  out.outbox_dir =
      in.outbox_dir.empty() ? state_dir + "/outbox" : in.outbox_dir;
  out.from = in.from;
  out.timeout = in.timeout;
  // A connection never gets longer than the whole send.
  out.connect_timeout = std::min(out.connect_timeout, in.timeout);
  return out;
}

std::string message_links::unsubscribe(int64_t delivery_id) const {
  return public_url + "/u/" +
         signer->sign(net::auth::link_kind::unsubscribe, delivery_id);
}

std::string message_links::track_clicks(const std::string& text,
                                        int64_t delivery_id) const {
  std::string out;
  std::size_t done = 0;
  for (;;) {
    auto start =
        std::min(text.find("https://", done), text.find("http://", done));
    if (start == std::string::npos)
      break;
    // A URL ends at whitespace or at the brackets and quotes around it.
    auto end = text.find_first_of(" \t\r\n<>\"'()[]", start);
    if (end == std::string::npos)
      end = text.size();
    // A sentence's full stop or comma is not part of the link.
    while (end > start && (text[end - 1] == '.' || text[end - 1] == ','))
      --end;
    auto url = text.substr(start, end - start);
    out.append(text, done, start - done);
    done = end;
    if (url.starts_with(public_url + "/u/")) {
      out += url; // {{unsubscribe_url}} in the body stays what it is
      continue;
    }
    out += public_url + "/t/c/" +
           signer->sign(net::auth::link_kind::click, delivery_id, url) +
           "?u=" + net::percent_encode(url);
  }
  out.append(text, done, std::string::npos);
  return out;
}

actors::delivery::send_fn
make_email_sender(std::shared_ptr<email::email_provider> provider,
                  std::string from, message_links links) {
  return [provider = std::move(provider), from = std::move(from),
          links = std::move(links)](
             const storage::claimed_delivery& d) -> send_outcome {
    email::email_message msg;
    msg.from = from;
    msg.to = d.email;
    msg.idempotency_key = d.idempotency_key;
    msg.unsubscribe_url = links.unsubscribe(d.id);
    email::template_values values{
        {"first_name", d.first_name},
        {"last_name", d.last_name},
        {"email", d.email},
        {"shipping_state", d.shipping_state.value_or("")},
        {"shipping_country", d.shipping_country.value_or("")},
        {"unsubscribe_url", msg.unsubscribe_url},
    };
    auto subject = email::render(d.subject, values);
    if (!subject)
      return failure(subject.error());
    auto body = email::render(d.body_text, values);
    if (!body)
      return failure(body.error());
    msg.subject = std::move(*subject);
    // Tracked after rendering, so links built from customer fields are
    // tracked too; the unsubscribe link is left as it is.
    msg.text_body = links.track_clicks(*body, d.id);
    msg.headers = {{d.flow_run_id.empty() ? "X-Campaign-ID" : "X-Flow-Run-ID",
                    d.flow_run_id.empty() ? d.campaign_id : d.flow_run_id},
                   {"X-Delivery-Step", std::to_string(d.step_index)}};
    auto receipt = provider->send(msg);
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
    std::shared_ptr<const actors::limits::limiter_region> limiter) {
  auto email_settings = to_email_settings(s.email, state_dir);
  auto made = email::make_provider(email_settings);
  if (!made)
    return std::move(made.error());
  std::shared_ptr<email::email_provider> provider = std::move(*made);

  actors::delivery::delivery_tree_options tree;
  auto& d = tree.dispatcher;
  d.pool = std::move(write_pool);
  message_links links{s.delivery.public_url, std::move(signer)};
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
  d.send_timeout = s.email.timeout;
  d.retry.max_attempts = s.delivery.max_attempts;
  d.retry.backoff = s.delivery.retry_backoff;
  d.retry.max_age = s.delivery.max_age;
  d.wait_day = s.delivery.wait_day;
  d.timezone = s.delivery.timezone;
  d.pause_failures = s.delivery.pause_failures;
  d.flow_exit_on_leave = s.delivery.flow_exit_on_leave;
  tree.dispatchers = s.delivery.dispatchers;
  tree.policy = actors::policy_from_settings(s.supervision, "connector");
  tree.child_policy = tree.policy;
  tree.metrics = std::move(metrics);
  tree.send_timeout = email_settings.timeout;

  delivery_subtree out;
  out.stop_bound = actors::delivery::delivery_tree_stop(tree);
  out.child = actors::supervisor_child(actors::delivery::delivery_tree(tree),
                                       out.stop_bound);
  return out;
}

} // namespace cdpd::app
