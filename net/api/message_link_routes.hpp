#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "net/auth/link_token.hpp"
#include "net/http/router.hpp"

/// The public links in campaign messages, answered without credentials
/// (recipients have none) and checked by their signed token alone:
///
///   GET|POST /u/{token}        unsubscribes the recipient in one request
///                              (POST is RFC 8058's one-click) and shows a
///                              plain confirmation page
///   GET      /t/o/{token}      the open pixel: a 1x1 GIF; records an open
///   GET      /t/c/{token}?u=U  records a click and redirects (302) to U,
///                              only when the token was made for U
///
/// A token that does not check out gets 404 and changes nothing. Events are
/// written (pg-write) before the answer, so an answered unsubscribe holds.
namespace cdpd::net {

void add_message_link_routes(router& routes, caf::actor_system& sys,
                             std::shared_ptr<const auth::link_signer> links);

} // namespace cdpd::net
