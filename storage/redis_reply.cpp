#include "storage/redis_reply.hpp"

namespace cdpd::storage {

redis_reply redis_reply::status(std::string text) {
  redis_reply r;
  r.type = kind::status;
  r.str = std::move(text);
  return r;
}

redis_reply redis_reply::string(std::string value) {
  redis_reply r;
  r.type = kind::string;
  r.str = std::move(value);
  return r;
}

redis_reply redis_reply::number(long long value) {
  redis_reply r;
  r.type = kind::integer;
  r.integer = value;
  return r;
}

redis_reply redis_reply::error(std::string text) {
  redis_reply r;
  r.type = kind::error;
  r.str = std::move(text);
  return r;
}

redis_reply redis_reply::array(std::vector<redis_reply> items) {
  redis_reply r;
  r.type = kind::array;
  r.elements = std::move(items);
  return r;
}

const char* to_string(redis_reply::kind k) {
  switch (k) {
  case redis_reply::kind::nil:
    return "nil";
  case redis_reply::kind::status:
    return "status";
  case redis_reply::kind::string:
    return "string";
  case redis_reply::kind::integer:
    return "integer";
  case redis_reply::kind::array:
    return "array";
  case redis_reply::kind::error:
    return "error";
  }
  return "unknown";
}

std::string to_string(const redis_reply& reply) {
  switch (reply.type) {
  case redis_reply::kind::nil:
    return "(nil)";
  case redis_reply::kind::status:
    return reply.str;
  case redis_reply::kind::string:
    return "\"" + reply.str + "\"";
  case redis_reply::kind::integer:
    return "(integer) " + std::to_string(reply.integer);
  case redis_reply::kind::error:
    return "(error) " + reply.str;
  case redis_reply::kind::array: {
    std::string out = "[";
    for (std::size_t i = 0; i < reply.elements.size(); ++i) {
      if (i > 0)
        out += ", ";
      out += std::to_string(i + 1) + ") " + to_string(reply.elements[i]);
    }
    return out + "]";
  }
  }
  return "?";
}

} // namespace cdpd::storage
