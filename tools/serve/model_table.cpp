#include "tools/serve/model_table.hpp"

#include <algorithm>
#include <chrono>

namespace webaccel {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

nlohmann::json duration(uint64_t count, double ms) {
  return {{"count", count}, {"ns", static_cast<uint64_t>(ms * 1e6)}};
}

/// One model's line of Triton's statistics extension.
nlohmann::json stats_line(const std::string& name, const served_figures& s) {
  return {{"name", name},
          {"version", "1"},
          {"last_inference", s.last_inference_ms},
          {"inference_count", s.inferences},
          {"execution_count", static_cast<uint64_t>(s.executions + 0.5)},
          {"inference_stats",
           {{"success", duration(s.success, s.success_ms)},
            {"fail", duration(s.failure, s.failure_ms)},
            {"queue", duration(s.success, s.queue_ms)},
            {"compute_infer", duration(s.success, s.compute_ms)}}}};
}

} // namespace

model_table::model_table(runtime& rt, const runtime_config& cfg)
  : rt_(rt), cfg_(cfg) {
  for (auto& [name, entry] : cfg.models)
    slots_[name];
}

bool model_table::known(const std::string& name) const {
  return cfg_.models.count(name) != 0;
}

const model_entry* model_table::entry(const std::string& name) const {
  auto i = cfg_.models.find(name);
  return i == cfg_.models.end() ? nullptr : &i->second;
}

void model_table::load(const std::string& name) {
  auto* e = entry(name);
  if (e == nullptr)
    throw failure(errc::invalid_request, "no model '" + name + "'");
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!slots_[name].model.load_started())
      return;
  }
  try {
    auto handle = rt_.get_model(e->family, name);
    std::lock_guard<std::mutex> guard{mtx_};
    auto& s = slots_[name];
    s.handle = handle;
    s.model.load_succeeded();
  } catch (const std::exception& err) {
    std::lock_guard<std::mutex> guard{mtx_};
    slots_[name].model.load_failed(err.what());
    throw;
  }
}

bool model_table::unload(const std::string& name) {
  std::optional<model_handle> handle;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = slots_.find(name);
    if (i == slots_.end() || !i->second.handle)
      return false;
    handle = std::move(i->second.handle);
    i->second.handle.reset();
    i->second.model.unloaded();
  }
  return rt_.unload(*handle);
}

std::optional<model_handle>
model_table::loaded_handle(const std::string& name) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(name);
  if (i == slots_.end() || !i->second.model.loaded())
    return std::nullopt;
  return i->second.handle;
}

bool model_table::is_ready(const std::string& name) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(name);
  return i != slots_.end() && i->second.model.ready();
}

void model_table::want(const std::string& name, bool wanted) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (wanted)
    wanted_.insert(name);
  else
    wanted_.erase(name);
}

std::vector<std::string> model_table::wanted() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return {wanted_.begin(), wanted_.end()};
}

bool model_table::all_ready(const std::vector<std::string>& names) const {
  return not_ready(names).empty();
}

std::vector<index_entry>
model_table::not_ready(const std::vector<std::string>& names) const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<index_entry> out;
  for (auto& n : names) {
    auto i = slots_.find(n);
    if (i == slots_.end())
      out.push_back({n, served_state::unavailable, "no such model"});
    else if (!i->second.model.ready())
      out.push_back({n, i->second.model.state(), i->second.model.reason()});
  }
  return out;
}

std::vector<index_entry> model_table::index() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<index_entry> out;
  for (auto& [name, s] : slots_)
    out.push_back({name, s.model.state(), s.model.reason()});
  return out;
}

std::shared_ptr<const onnx_signature>
model_table::signature(const std::string& name) {
  auto* e = entry(name);
  if (e == nullptr || e->variants.empty())
    return nullptr;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto& cached = slots_[name].signature)
      return cached;
  }
  // Read outside the lock: the files are megabytes. Two readers at once
  // read the same thing.
  auto sig = std::make_shared<onnx_signature>();
  for (auto& [part, file] : e->variants.front().parts) {
    auto one = read_onnx_signature(file.path);
    sig->inputs.insert(sig->inputs.end(), one.inputs.begin(), one.inputs.end());
    sig->outputs.insert(sig->outputs.end(), one.outputs.begin(),
                        one.outputs.end());
  }
  std::lock_guard<std::mutex> guard{mtx_};
  return slots_[name].signature = std::move(sig);
}

void model_table::begin(const std::string& name) {
  std::lock_guard<std::mutex> guard{mtx_};
  slots_[name].figures.pending++;
}

void model_table::record(const std::string& name, const infer_result* result,
                         const failure* error, double total_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& slot = slots_[name];
  auto& s = slot.figures;
  if (s.pending > 0)
    s.pending--;
  s.last_inference_ms = now_ms();
  if (result == nullptr) {
    s.failure++;
    s.failures[error != nullptr ? to_string(error->code()) : "unknown"]++;
    s.failure_ms += total_ms;
    if (error != nullptr)
      slot.model.request_failed(error->code(), error->what());
    return;
  }
  slot.model.answered();
  s.success++;
  s.success_ms += total_ms;
  s.queue_ms += result->time.queue;
  s.compute_ms += result->time.compute;
  s.request_seconds.observe(total_ms / 1000);
  s.queue_seconds.observe(result->time.queue / 1000);
  s.compute_seconds.observe(result->time.compute / 1000);
  s.inferences++;
  // Every request of a batch answers with the batch's size: each adds its
  // share, so that the batch counts once.
  s.executions += 1.0 / std::max<uint32_t>(1, result->batch_size);
}

std::vector<served_figures> model_table::figures() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<served_figures> out;
  for (auto& [name, s] : slots_) {
    out.push_back(s.figures);
    out.back().name = name;
  }
  return out;
}

nlohmann::json model_table::stats(const std::string& name) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(name);
  if (i == slots_.end())
    return nullptr;
  return {{"model_stats", {stats_line(name, i->second.figures)}}};
}

nlohmann::json model_table::stats_of_all() const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto lines = nlohmann::json::array();
  for (auto& [name, s] : slots_)
    lines.push_back(stats_line(name, s.figures));
  return {{"model_stats", std::move(lines)}};
}

} // namespace webaccel
