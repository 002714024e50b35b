// What the browser connection records in the metrics sink: the browser
// ready and ended (with why), and every model load with its outcome.
#include "actors/connection/state.hpp"
#include "actors/rules/canary.hpp"

namespace webaccel::connection {

namespace {

std::string platforms_of(const browser_capabilities& c) {
  std::string out;
  for (auto name : {"webgpu", "webnn", "wasm"})
    if (c.platform(name)->available)
      out += (out.empty() ? "" : ",") + std::string{name};
  return out;
}

browser_event browser_base(self_ptr self, browser_event::what what) {
  auto& st = self->state;
  browser_event e;
  e.at = wall_clock_s();
  e.event = what;
  e.connection = self->id();
  e.kind = st.cfg.kind;
  e.version = st.capabilities ? st.capabilities->browser_version
                              : st.cfg.version;
  e.pid = st.launched_pid;
  return e;
}

} // namespace

void record_ready(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.metrics || !st.capabilities)
    return;
  auto e = browser_base(self, browser_event::what::ready);
  e.platforms = platforms_of(*st.capabilities);
  if (st.capabilities->webgpu.available)
    e.adapter = st.capabilities->adapter.description.empty()
                  ? st.capabilities->adapter.vendor
                  : st.capabilities->adapter.description;
  st.cfg.metrics->push(std::move(e));
}

void record_end(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.metrics)
    return;
  auto e = browser_base(self, browser_event::what::ended);
  e.age_ms = ms_since(self, st.launched);
  e.requests = st.requests;
  if (st.draining) {
    e.category = "retired";
    e.why = st.retire_why;
  } else {
    e.category = to_string(category_of(st.failure));
    e.why = render_error(st.failure);
  }
  st.cfg.metrics->push(std::move(e));
}

void record_load(self_ptr self, const pending_load& load,
                 const loaded_model* loaded, const caf::error& err) {
  auto& st = self->state;
  if (!st.cfg.metrics || load.model == canary_model_name)
    return; // The canary's loads are the monitor's, not the host's.
  load_event e;
  e.at = wall_clock_s();
  e.model = load.model;
  e.precision = load.precision;
  e.platform = load.platform;
  e.browser = st.cfg.kind;
  e.connection = self->id();
  e.ok = loaded != nullptr;
  if (loaded != nullptr) {
    e.load_ms = loaded->load_ms;
    e.warmup_ms = loaded->warmup_ms;
  } else {
    e.category = to_string(category_of(err));
    e.error = render_error(err);
  }
  st.cfg.metrics->push(std::move(e));
}

} // namespace webaccel::connection
