// Type IDs of the data webaccel's actors exchange, for CAF's serialization
// (remote nodes) and readable type names. Register with
// `cfg.add_message_types<caf::id_block::webaccel>()`.
#pragma once

#include <caf/type_id.hpp>

#include "messages/capabilities.hpp"
#include "messages/health_report.hpp"
#include "messages/inference.hpp"
#include "messages/interfaces.hpp"
#include "messages/metrics_summary.hpp"
#include "messages/model.hpp"
#include "messages/node.hpp"
#include "messages/pool_stats.hpp"
#include "messages/recovery.hpp"
#include "messages/tensor.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(webaccel, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(webaccel, (webaccel::tensor))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::raw_input))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::model_file))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::model_variant))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::processing_step))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::batching_policy))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::model_spec))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::hardware_preferences))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::model_request))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::placement_hint))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::adapter_info))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::platform_support))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::browser_capabilities))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::infer_request))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::page_infer_request))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::timings))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::provenance))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::infer_result))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::page_result))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::loaded_model))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::connection_stats))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::kind_stats))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::model_cache_stats))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::pool_stats))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::placement_target))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::strategy_outcomes))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::recovery_times))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::recovery_stats))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::request_figures))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::placement_figures))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::load_figures))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::browser_figures))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::recovery_figures))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::store_status))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::metrics_summary))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::canary_figures))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::browser_health_report))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::platform_health))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::health_report))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::platform_latency))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::node_challenge))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::node_offer))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::placement_bid))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::node_stats))
  // Handles a head and its nodes send each other: browser connections,
  // the model instances that attach to them, pools.
  CAF_ADD_TYPE_ID(webaccel, (webaccel::browser_connection_actor))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::model_actor))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::pool_supervisor_actor))
  CAF_ADD_TYPE_ID(webaccel, (webaccel::node_registry_actor))

CAF_END_TYPE_ID_BLOCK(webaccel)
