#pragma once

#include <nlohmann/json.hpp>

#include "storage/repositories/campaign_repository.hpp"
#include "storage/repositories/customer_repository.hpp"
#include "storage/repositories/flow_repository.hpp"
#include "storage/repositories/metrics_repository.hpp"
#include "storage/repositories/order_repository.hpp"
#include "storage/repositories/product_repository.hpp"

/// The API's JSON shapes of each resource (eca2-api-contract.md §3):
/// nullable members are null, datetimes naive ISO strings.
namespace cdpd::net::api {

/// User JSON (a customer under the prototype's field names).
nlohmann::json to_json(const storage::customer_record& c);

/// Product JSON.
nlohmann::json to_json(const storage::product_record& p);

/// Order JSON; `items` is included when `with_items`.
nlohmann::json to_json(const storage::order_record& o, bool with_items);

/// Flow JSON.
nlohmann::json to_json(const storage::flow_record& f);

/// FlowStep JSON; config is parsed back into an object.
nlohmann::json to_json(const storage::flow_step_record& s);

/// Campaign JSON.
nlohmann::json to_json(const storage::campaign_record& c);

/// Dashboard metrics JSON (floats always numbers).
nlohmann::json to_json(const storage::dashboard_metrics& m);

/// Customer metrics JSON.
nlohmann::json to_json(const storage::customer_metrics& m);

/// Product metrics JSON.
nlohmann::json to_json(const storage::product_metrics& m);

/// Top-products row JSON.
nlohmann::json to_json(const storage::product_sales& s);

} // namespace cdpd::net::api
