#include "net/access/login_page.hpp"

#include <string_view>

#include "net/email/template.hpp"
#include "net/http/static_site.hpp"
#include "net/http/uri.hpp"

namespace cdpd::net {

namespace {

constexpr std::string_view page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · cdpd</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;
display:flex;min-height:100vh;align-items:center;justify-content:center}
form{background:#fff;padding:2rem;border-radius:8px;width:20rem;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.25rem;margin:0 0 1rem}
label{display:block;font-size:.875rem;margin:.75rem 0 .25rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.25rem;width:100%;padding:.6rem;font-size:1rem}
#error{color:#b00020;font-size:.875rem;min-height:1.2em;margin-top:.75rem}
</style>
<script src="/login.js" defer></script>
</head>
<body>
<form id="login" data-next="@NEXT@">
<h1>Sign in to cdpd</h1>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div id="change" hidden>
<label for="new_password">New password (at least 12 characters)</label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="12">
</div>
<button type="submit">Sign in</button>
<div id="error" role="alert"></div>
</form>
</body>
</html>
)html";

constexpr std::string_view script = R"js("use strict";
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("error");
  error.textContent = "";
  const change = document.getElementById("change");
  const fields = {
    email: document.getElementById("email").value,
    password: document.getElementById("password").value,
  };
  if (!change.hidden)
    fields.new_password = document.getElementById("new_password").value;
  const body = JSON.stringify(fields);
  try {
    const reply = await fetch("/api/auth/login", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      credentials: "same-origin",
      body,
    });
    if (!reply.ok) {
      const problem = await reply.json().catch(() => ({}));
      // A generated first password: ask for a new one and send both again.
      if (String(problem.type).endsWith(":password-change-required")) {
        change.hidden = false;
        const field = document.getElementById("new_password");
        field.required = true;
        field.focus();
      }
      error.textContent = problem.detail || ("sign-in failed (" + reply.status + ")");
      return;
    }
    // The server vetted the path; resolving it against this origin and
    // comparing origins keeps it local even if the vetting had a gap.
    const next = new URL(event.target.dataset.next || "/", location.origin);
    location.assign(next.origin === location.origin ? next.href : "/");
  } catch (e) {
    error.textContent = "cdpd did not answer: " + e.message;
  }
});
)js";

http_response fixed(std::string_view content_type, std::string_view body) {
  http_response response;
  response.content_type = std::string{content_type};
  response.body = std::string{body};
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

} // namespace

std::string local_next(std::string_view next) {
  bool local = next.size() >= 1 && next[0] == '/' &&
               (next.size() == 1 || next[1] != '/');
  for (char c : next)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      local = false;
  return local ? std::string{next} : std::string{"/"};
}

std::string login_page_for(std::string_view next) {
  std::string text{page};
  constexpr std::string_view slot = "@NEXT@";
  text.replace(text.find(slot), slot.size(),
               email::html_escape(local_next(next)));
  return text;
}

void add_login_page(router& routes) {
  routes.add("GET", "/login", access::anyone,
             [](http_request request, responder respond) {
               auto next = request.query.find("next");
               auto response =
                   fixed("text/html; charset=utf-8",
                         login_page_for(
                             next == request.query.end() ? "/" : next->second));
               response.headers.emplace_back(
                   "Content-Security-Policy",
                   std::string{static_site::page_security_policy});
               respond(std::move(response));
             });
  routes.add("GET", "/login.js", access::anyone,
             [](http_request, responder respond) {
               respond(fixed("text/javascript; charset=utf-8", script));
             });
}

handler require_session(handler page) {
  return [page = std::move(page)](http_request request, responder respond) {
    // Only page loads are sent away: scripts, styles and images of the app
    // are public, and API misses keep their JSON 404.
    bool page_load =
        request.header("Accept").find("text/html") != std::string::npos;
    if (!page_load || request.who.role ||
        request.who.via == caller::proof::unchecked) {
      page(std::move(request), std::move(respond));
      return;
    }
    http_response redirect;
    redirect.status = 303;
    redirect.content_type.clear();
    redirect.headers.emplace_back(
        "Location", "/login?next=" + percent_encode(request.target));
    respond(std::move(redirect));
  };
}

} // namespace cdpd::net
