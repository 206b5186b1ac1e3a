#include "net/api/json_codecs.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;

template <class T> json nullable(const std::optional<T>& value) {
  if (!value)
    return nullptr;
  return *value;
}

} // namespace

json to_json(const storage::customer_record& c) {
  return {{"id", c.id},
          {"email", c.email},
          {"phone", nullable(c.phone)},
          {"first_name", c.first_name},
          {"last_name", c.last_name},
          {"marketing_opt_in", c.marketing_opt_in},
          {"shipping_state", nullable(c.shipping_state)},
          {"shipping_country", nullable(c.shipping_country)},
          {"total_order_value", c.total_order_value},
          {"order_count", c.order_count},
          {"last_order_date", nullable(c.last_order_date)},
          {"created_at", c.created_at}};
}

json to_json(const storage::product_record& p) {
  return {{"id", p.id},       {"name", p.name},   {"category", p.category},
          {"brand", p.brand}, {"price", p.price}, {"created_at", p.created_at}};
}

json to_json(const storage::order_record& o, bool with_items) {
  json out{{"id", o.id},
           {"user_id", o.user_id},
           {"order_date", o.order_date},
           {"order_status", o.order_status},
           {"total_amount", o.total_amount},
           {"currency", o.currency},
           {"channel", o.channel},
           {"coupon_code", nullable(o.coupon_code)},
           {"created_at", o.created_at}};
  if (with_items) {
    json items = json::array();
    for (const auto& i : o.items)
      items.push_back({{"id", i.id},
                       {"order_id", o.id},
                       {"product_id", i.product_id},
                       {"quantity", i.quantity},
                       {"unit_price", i.unit_price}});
    out["items"] = std::move(items);
  }
  return out;
}

json to_json(const storage::flow_record& f) {
  return {{"id", f.id},
          {"segment_id", f.segment_id},
          {"entry_condition_type", nullable(f.entry_condition_type)},
          {"entry_condition", nullable(f.entry_condition)},
          {"name", nullable(f.name)},
          {"created_at", f.created_at}};
}

json to_json(const storage::flow_step_record& s) {
  auto config = json::parse(s.config, nullptr, false);
  if (config.is_discarded())
    config = json::object();
  return {{"id", s.id},
          {"flow_id", s.flow_id},
          {"step_type", s.step_type},
          {"config", std::move(config)},
          {"next_step_id", nullable(s.next_step_id)},
          {"step_order", s.step_order},
          {"created_at", s.created_at}};
}

json to_json(const storage::campaign_record& c) {
  return {{"id", c.id},
          {"segment_id", c.segment_id},
          {"flow_id", nullable(c.flow_id)},
          {"name", c.name},
          {"description", nullable(c.description)},
          {"status", c.status},
          {"start_time", nullable(c.start_time)},
          {"start_date", nullable(c.start_date)},
          {"start_time_of_day", nullable(c.start_time_of_day)},
          {"created_at", c.created_at},
          {"send_speed_per_minute", c.send_speed_per_minute
                                        ? json(*c.send_speed_per_minute)
                                        : json(nullptr)}};
}

json to_json(const storage::dashboard_metrics& m) {
  return {{"total_customers", m.total_customers},
          {"revenue_30d", m.revenue_30d},
          {"total_orders", m.total_orders},
          {"average_order_value", m.average_order_value},
          {"returning_customers", m.returning_customers},
          {"new_customers", m.new_customers}};
}

json to_json(const storage::customer_metrics& m) {
  return {{"user_id", m.user_id},
          {"lifetime_value", m.lifetime_value},
          {"average_order_value", m.average_order_value},
          {"days_since_last_order", nullable(m.days_since_last_order)},
          {"total_orders", m.total_orders}};
}

json to_json(const storage::product_metrics& m) {
  return {{"product_id", m.product_id},
          {"total_units_sold", m.total_units_sold},
          {"total_orders", m.total_orders},
          {"total_revenue", m.total_revenue},
          {"last_purchased_at", nullable(m.last_purchased_at)}};
}

json to_json(const storage::product_sales& s) {
  return {{"product_id", s.product_id},
          {"product_name", s.product_name},
          {"units_sold", s.units_sold},
          {"revenue", s.revenue}};
}

} // namespace cdpd::net::api
