#include "net/email/delivery_message.hpp"

#include <algorithm>
#include <utility>

#include "net/email/template.hpp"
#include "net/http/uri.hpp"

namespace cdpd::net::email {

std::string message_links::unsubscribe(int64_t delivery_id) const {
  return public_url + "/u/" +
         signer->sign(auth::link_kind::unsubscribe, delivery_id);
}

std::string message_links::track_clicks(const std::string& text,
                                        int64_t delivery_id,
                                        int64_t expires) const {
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
           signer->sign(auth::link_kind::click, delivery_id, url, expires) +
           "?u=" + percent_encode(url);
  }
  out.append(text, done, std::string::npos);
  return out;
}

caf::expected<email_message> render_delivery(const storage::claimed_delivery& d,
                                             const std::string& from,
                                             const message_links& links) {
  email_message msg;
  msg.from = from;
  msg.to = d.email;
  msg.idempotency_key = d.idempotency_key;
  msg.unsubscribe_url = links.unsubscribe(d.id);
  template_values values{
      {"first_name", d.first_name},
      {"last_name", d.last_name},
      {"email", d.email},
      {"shipping_state", d.shipping_state.value_or("")},
      {"shipping_country", d.shipping_country.value_or("")},
      {"unsubscribe_url", msg.unsubscribe_url},
  };
  auto subject = render(d.subject, values);
  if (!subject)
    return std::move(subject.error());
  // Tracked before rendering: only URLs the author wrote get a signed
  // redirect from the brand's domain, never one a customer's field holds.
  auto expires = std::chrono::duration_cast<std::chrono::seconds>(
                     (std::chrono::system_clock::now() + links.link_ttl)
                         .time_since_epoch())
                     .count();
  auto body = render(links.track_clicks(d.body_text, d.id, expires), values);
  if (!body)
    return std::move(body.error());
  msg.subject = std::move(*subject);
  msg.text_body = std::move(*body);
  msg.headers = {{d.flow_run_id.empty() ? "X-Campaign-ID" : "X-Flow-Run-ID",
                  d.flow_run_id.empty() ? d.campaign_id : d.flow_run_id},
                 {"X-Delivery-Step", std::to_string(d.step_index)}};
  return msg;
}

} // namespace cdpd::net::email
