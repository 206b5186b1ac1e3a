#include "net/api/message_link_routes.hpp"

#include <optional>
#include <string>

#include <caf/all.hpp>

#include "actors/campaigns/campaign_messages.hpp"
#include "actors/domain/message_event_work.hpp"
#include "net/api/db_call.hpp"

namespace cdpd::net {

namespace {

using storage::message_event;

// Pages for people, not programs: no scripts, no styles, nothing loaded.
constexpr const char* page_policy = "default-src 'none'";

constexpr const char* unsubscribed_page =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Unsubscribed</title></head><body><h1>You are unsubscribed</h1>"
    "<p>You will not receive these emails any more.</p></body></html>\n";

// A GET only asks: link scanners and previews follow every link in a mail,
// and must not unsubscribe anyone. The form POSTs to the same URL.
constexpr const char* confirm_page =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Unsubscribe</title></head><body><h1>Unsubscribe?</h1>"
    "<p>You will not receive these emails any more.</p>"
    "<form method=\"post\"><button type=\"submit\">Unsubscribe</button>"
    "</form></body></html>\n";

constexpr const char* invalid_page =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Link not valid</title></head><body><h1>This link is not valid"
    "</h1><p>Use the link in the email exactly as it came.</p></body>"
    "</html>\n";

// The smallest transparent GIF: 1x1 pixel, one transparent colour.
constexpr unsigned char pixel_gif[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

http_response page(int status, const char* html) {
  http_response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = html;
  r.headers.emplace_back("Content-Security-Policy", page_policy);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http_response pixel() {
  http_response r;
  r.content_type = "image/gif";
  r.body.assign(reinterpret_cast<const char*>(pixel_gif), sizeof pixel_gif);
  // Each load is an open; caches would hide them.
  r.headers.emplace_back("Cache-Control", "no-store, max-age=0");
  return r;
}

/// Tells the campaign's actor, when it has one, that a recipient did
/// `kind` for the first time; a campaign without an actor (completed) is
/// read from the table.
void count_for_campaign(caf::actor_system& sys, const std::string& campaign,
                        message_event kind) {
  namespace live = actors::campaigns;
  auto host = caf::actor_cast<live::campaign_host>(
      sys.registry().get(live::campaign_host_key));
  if (!host || campaign.empty())
    return;
  live::campaign_report report;
  report.campaign_id = campaign;
  (kind == message_event::open    ? report.opened
   : kind == message_event::click ? report.clicked
                                  : report.unsubscribed) = 1;
  caf::anon_send(host, live::campaign_report_atom::value, std::move(report));
}

/// Records the event on pg-write, then answers with `done(found)`; a
/// database failure is a 503 (the recipient may try again).
template <class Done>
void record(caf::actor_system& sys, int64_t delivery_id, message_event kind,
            std::optional<std::string> url, responder respond, Done done) {
  api::call_db(
      sys, api::db_role::write,
      actors::domain::record_message_event(delivery_id, kind, std::move(url)),
      std::move(respond),
      [&sys, kind, done](actors::domain::message_event_outcome& out) {
        count_for_campaign(sys, out.first_for_campaign, kind);
        return done(out.found);
      });
}

} // namespace

void add_message_link_routes(router& routes, caf::actor_system& sys,
                             std::shared_ptr<const auth::link_signer> links) {
  auto unsubscribe = [&sys, links](http_request req, responder respond) {
    auto id =
        links->verify(auth::link_kind::unsubscribe, req.params.at("token"));
    if (!id) {
      respond(page(404, invalid_page));
      return;
    }
    record(sys, *id, message_event::unsubscribe, std::nullopt,
           std::move(respond), [](bool found) {
             return found ? page(200, unsubscribed_page)
                          : page(404, invalid_page);
           });
  };
  routes.add(
      "GET", "/u/{token}", access::anyone_limited,
      [links](http_request req, responder respond) {
        auto valid =
            links->verify(auth::link_kind::unsubscribe, req.params.at("token"));
        respond(valid ? page(200, confirm_page) : page(404, invalid_page));
      });
  routes.add("POST", "/u/{token}", access::anyone_limited, unsubscribe);

  routes.add("GET", "/t/o/{token}", access::anyone_limited,
             [&sys, links](http_request req, responder respond) {
               auto id =
                   links->verify(auth::link_kind::open, req.params.at("token"));
               if (!id) {
                 respond(page(404, invalid_page));
                 return;
               }
               record(sys, *id, message_event::open, std::nullopt,
                      std::move(respond), [](bool found) {
                        return found ? pixel() : page(404, invalid_page);
                      });
             });

  routes.add("GET", "/t/c/{token}", access::anyone_limited,
             [&sys, links](http_request req, responder respond) {
               auto u = req.query.find("u");
               auto url = u == req.query.end() ? std::string{} : u->second;
               auto id = links->verify(auth::link_kind::click,
                                       req.params.at("token"), url);
               // Signed for this exact URL, so never an open redirect; the
               // scheme check guards against a javascript: link in a message
               // body.
               if (!id || !(url.starts_with("https://") ||
                            url.starts_with("http://"))) {
                 respond(page(404, invalid_page));
                 return;
               }
               record(sys, *id, message_event::click, url, std::move(respond),
                      [url](bool found) {
                        if (!found)
                          return page(404, invalid_page);
                        http_response r;
                        r.status = 302;
                        r.content_type.clear();
                        r.headers.emplace_back("Location", url);
                        r.headers.emplace_back("Cache-Control", "no-store");
                        return r;
                      });
             });
}

} // namespace cdpd::net
