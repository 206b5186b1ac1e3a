#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

caf::error refusal_error(storage::refusal why) {
  using storage::refusal;
  switch (why) {
  case refusal::customer_missing:
    return make_error(errc::not_found, "User not found");
  case refusal::product_missing:
    return make_error(errc::not_found, "Product not found");
  case refusal::order_missing:
    return make_error(errc::not_found, "Order not found");
  case refusal::segment_missing:
    return make_error(errc::not_found, "Segment not found");
  case refusal::flow_missing:
    return make_error(errc::not_found, "Flow not found");
  case refusal::flow_step_missing:
    return make_error(errc::not_found, "Flow step not found");
  case refusal::campaign_missing:
    return make_error(errc::not_found, "Campaign not found");
  case refusal::campaign_has_no_flow:
    return make_error(errc::not_found, "No flow associated with this campaign");
  case refusal::email_taken:
    return make_error(errc::rejected, "Email already exists");
  case refusal::webhook_missing:
    return make_error(errc::not_found, "Webhook not found");
  case refusal::none:
    break;
  }
  return make_error(errc::conflict, "the operation produced no result");
}

} // namespace cdpd::actors::domain
