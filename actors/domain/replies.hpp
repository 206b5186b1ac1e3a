#pragma once

#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "storage/repositories/campaign_repository.hpp"
#include "storage/repositories/customer_repository.hpp"
#include "storage/repositories/flow_repository.hpp"
#include "storage/repositories/import_repository.hpp"
#include "storage/repositories/metrics_repository.hpp"
#include "storage/repositories/order_repository.hpp"
#include "storage/repositories/product_repository.hpp"

// Replies of the domain work. The db actor and its callers always run on the
// same node, so these never need serializing; types that must cross nodes
// get inspect() overloads instead.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::customer_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::customer_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::product_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::product_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::order_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::page<cdpd::storage::order_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::flow_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::flow_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::flow_step_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::flow_step_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::campaign_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::campaign_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::dashboard_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::customer_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::product_metrics)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::product_sales>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::import_line_result>)
