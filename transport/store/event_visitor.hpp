// Visits a metrics_event with one lambda per kind of event.
#pragma once

namespace webaccel {

template <class... Ts>
struct event_visitor : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
event_visitor(Ts...) -> event_visitor<Ts...>;

} // namespace webaccel
