#pragma once

#include <string>
#include <string_view>

#include "net/http/router.hpp"

/// The sign-in page for browsers: `GET /login` (a form) and
/// `GET /login.js` (its script, kept out of the page so the page's
/// Content-Security-Policy can forbid inline scripts). The script posts the
/// form to `POST /api/auth/login` as JSON; the answer sets the session
/// cookie, and the browser goes on to `?next=` (a local path) or `/`.
namespace cdpd::net {

/// `next` when it is a path on this origin, else "/". Browsers read "/\x"
/// as "//x" and drop tabs and newlines, so a path with a backslash or a
/// control character anywhere, or starting "//", is refused.
std::string local_next(std::string_view next);

/// The sign-in page, carrying local_next(next) (HTML-escaped) where its
/// script reads it.
std::string login_page_for(std::string_view next);

/// Adds /login and /login.js (both public).
void add_login_page(router& routes);

/// Wraps the handler of a served app: a page load (Accept: text/html) by a
/// browser without a role (no valid session cookie and no
/// auth.anonymous-role) is sent to `/login?next=<path>` with 303; every
/// other request goes to `page`.
handler require_session(handler page);

} // namespace cdpd::net
