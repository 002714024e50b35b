#include "tools/serve/kserve_routes.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/model_registry_reader.hpp"
#include "tools/serve/model_contract.hpp"
#include "tools/serve/oip_paths.hpp"
#include "tools/serve/prometheus_text.hpp"
#include "tools/serve/serve_metrics.hpp"
#include "transport/kserve/v2_codec.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;

api_response json_response(unsigned status, const json& body) {
  return {status, "application/json", body.dump(), {}};
}

/// What a failure says, without the category its what() starts with.
std::string what_of(const failure& f) {
  std::string what = f.what();
  auto prefix = std::string{to_string(f.code())} + ": ";
  return what.compare(0, prefix.size(), prefix) == 0
           ? what.substr(prefix.size())
           : what;
}

api_response error_response(errc code, const std::string& what) {
  api_response res{http_status_of(code),
                   "application/json",
                   kserve::error_body(to_string(code), what),
                   {}};
  if (res.status == 429 || res.status == 503)
    res.headers.emplace_back("Retry-After", "1");
  return res;
}

/// 404 with the protocol's error body.
api_response not_found(const std::string& what) {
  return {404, "application/json", kserve::error_body("not_found", what), {}};
}

/// What a pool task that threw answers (the thread barrier logged it).
blocking_pool::failure_handler answer_internal_error(api_reply reply) {
  return [reply = std::move(reply)](const std::string& error) {
    reply({500,
           "application/json",
           kserve::error_body("internal", "the request failed: " + error),
           {}});
  };
}

} // namespace

unsigned http_status_of(errc code) {
  switch (code) {
    case errc::invalid_request:
    case errc::model_incompatible:
      return 400;
    case errc::overloaded:
      return 429;
    case errc::shutting_down:
    case errc::browser_unavailable:
      return 503;
    case errc::timeout:
      return 504;
    default:
      return 500;
  }
}

void kserve_routes::operator()(api_request req, api_reply reply) {
  auto& p = req.path;
  auto get = req.method == "GET" || req.method == "HEAD";
  auto post = req.method == "POST";
  if ((p == "/v2" || p == "/v2/") && get) {
    reply(json_response(200, {{"name", "webaccel"},
                              {"version", version_},
                              {"extensions",
                               {"binary_tensor_data", "model_repository",
                                "statistics", "model_configuration"}}}));
  } else if (p == "/v2/health/live" && get) {
    reply(json_response(200, {{"live", true}}));
  } else if (p == "/v2/health/ready" && get) {
    ready(std::move(reply));
  } else if ((p == "/dashboard" || p == "/dashboard/"
              || p == "/dashboard/dashboard.js")
             && get) {
    dashboard_file(p == "/dashboard/dashboard.js", std::move(reply));
  } else if (p == "/metrics" && get) {
    metrics(std::move(reply));
  } else if (p == "/v2/repository/index" && post) {
    json out = json::array();
    for (auto& e : models_.index()) {
      json line{
        {"name", e.name}, {"version", "1"}, {"state", to_string(e.state)}};
      if (!e.reason.empty())
        line["reason"] = e.reason;
      out.push_back(std::move(line));
    }
    reply(json_response(200, out));
  } else if (p == "/v2/models/stats" && get) {
    reply(json_response(200, models_.stats_of_all()));
  } else if (auto repo = parse_repository_path(p); repo && post) {
    repository(repo->model, repo->load, std::move(reply));
  } else if (auto mp = parse_model_path(p)) {
    // Unknown models and versions are 404, as KServe's and Seldon's
    // servers and Triton (NOT_FOUND) answer them.
    if (!models_.known(mp->model)) {
      reply(not_found("no model '" + mp->model + "'"));
    } else if (!mp->version.empty() && mp->version != "1") {
      reply(not_found("model '" + mp->model + "' has no version '" + mp->version
                      + "' (it has version 1)"));
    } else if (mp->action == "infer" && post) {
      infer(mp->model, std::move(req), std::move(reply));
    } else if (mp->action == "ready" && get) {
      auto ready = models_.is_ready(mp->model);
      reply(json_response(ready ? 200 : 400,
                          {{"name", mp->model}, {"ready", ready}}));
    } else if (mp->action == "stats" && get) {
      reply(json_response(200, models_.stats(mp->model)));
    } else if ((mp->action.empty() || mp->action == "config") && get) {
      metadata(mp->model, mp->action == "config", std::move(reply));
    } else {
      reply(error_response(errc::invalid_request,
                           req.method + " " + p + " is not served"));
    }
  } else {
    reply(not_found(req.method + " " + p + " is not served"));
  }
}

void kserve_routes::ready(api_reply reply) {
  // Live: loads, unloads, failures and recoveries all count.
  auto waiting = models_.not_ready(models_.wanted());
  auto ready = !draining_ && waiting.empty();
  json body{{"ready", ready}};
  if (draining_)
    body["reason"] = "shutting down";
  if (!waiting.empty()) {
    json list = json::array();
    for (auto& e : waiting) {
      json line{{"name", e.name}, {"state", to_string(e.state)}};
      if (!e.reason.empty())
        line["reason"] = e.reason;
      list.push_back(std::move(line));
    }
    body["not_ready"] = std::move(list);
  }
  reply(json_response(ready ? 200 : 503, body));
}

void kserve_routes::repository(const std::string& name, bool load,
                               api_reply reply) {
  if (!models_.known(name)) {
    reply(not_found("no model '" + name + "'"));
    return;
  }
  // The table outlives the pool's tasks; these routes may not (they live
  // in the server, which stops first).
  pool_.post(
    [models = &models_, name, load, reply] {
      try {
        // What the operator asks for is what readiness waits for.
        models->want(name, load);
        if (load)
          models->load(name);
        else
          models->unload(name);
        reply(json_response(200, json::object()));
      } catch (const failure& f) {
        reply(error_response(f.code(), what_of(f)));
      } catch (const std::exception& e) {
        reply(error_response(errc::model_incompatible, e.what()));
      }
    },
    answer_internal_error(reply));
}

void kserve_routes::metadata(const std::string& name, bool triton_config,
                             api_reply reply) {
  // The model files are read once, off the I/O threads.
  pool_.post(
    [models = &models_, name, triton_config, reply] {
      try {
        static const onnx_signature none;
        auto graph = models->signature(name);
        auto& e = *models->entry(name);
        auto& g = graph ? *graph : none;
        reply(json_response(200, triton_config ? triton_model_config(name, e, g)
                                               : model_metadata(name, e, g)));
      } catch (const std::exception& e) {
        reply(error_response(errc::model_incompatible, e.what()));
      }
    },
    answer_internal_error(reply));
}

void kserve_routes::dashboard_file(bool script, api_reply reply) {
  auto path = std::filesystem::path{rt_.config().assets_dir} / "dashboard"
              / (script ? "dashboard.js" : "index.html");
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    reply({500,
           "application/json",
           kserve::error_body("internal",
                              "the dashboard is missing: " + path.string()),
           {}});
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  api_response res{200,
                   script ? "text/javascript; charset=utf-8"
                          : "text/html; charset=utf-8",
                   text.str(),
                   {{"Cache-Control", "no-cache"}}};
  reply(std::move(res));
}

void kserve_routes::metrics(api_reply reply) {
  pool_.post(
    [rt = &rt_, models = &models_, reply] {
      try {
        auto page = metrics_page(models->figures(), rt->stats());
        reply({200, prometheus_content_type, std::move(page), {}});
      } catch (const failure& f) {
        reply(error_response(f.code(), what_of(f)));
      }
    },
    answer_internal_error(reply));
}

void kserve_routes::infer(const std::string& name, api_request req,
                          api_reply reply) {
  auto handle = models_.loaded_handle(name);
  if (!handle) {
    reply(error_response(errc::invalid_request, "model '" + name
                                                  + "' is not loaded (POST "
                                                    "/v2/repository/models/"
                                                  + name + "/load)"));
    return;
  }
  std::optional<size_t> json_length;
  if (auto h = req.headers.find("inference-header-content-length");
      h != req.headers.end()) {
    char* end = nullptr;
    auto n = std::strtoull(h->second.c_str(), &end, 10);
    if (h->second.empty() || *end != '\0') {
      reply(error_response(errc::invalid_request,
                           "Inference-Header-Content-Length must be a number, "
                           "got '"
                             + h->second + "'"));
      return;
    }
    json_length = static_cast<size_t>(n);
  }
  auto parsed = kserve::parse_infer(req.body, json_length);
  if (!parsed) {
    reply(error_response(errc::invalid_request, parsed.error));
    return;
  }
  if (auto wrong = check_inputs(name, *models_.entry(name), *parsed.value);
      !wrong.empty()) {
    reply(error_response(errc::invalid_request, wrong));
    return;
  }
  auto asked = std::make_shared<kserve::parsed_infer>(std::move(*parsed.value));
  auto started = std::chrono::steady_clock::now();
  auto* models = &models_;
  models->begin(name);
  handle->infer_async(asked->request, [=](infer_result* r, const failure* f) {
    auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - started)
                .count();
    models->record(name, r, f, ms);
    if (f != nullptr) {
      reply(error_response(f->code(), what_of(*f)));
      return;
    }
    auto out = kserve::encode_result(name, *asked, *r);
    api_response res{200, "application/json", std::move(out.json), {}};
    if (!out.binary.empty()) {
      res.headers.emplace_back("Inference-Header-Content-Length",
                               std::to_string(res.body.size()));
      res.content_type = "application/octet-stream";
      res.body += out.binary;
    }
    reply(std::move(res));
  });
}

} // namespace webaccel
