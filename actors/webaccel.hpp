// The one header a host program includes, installed as
// <webaccel/webaccel.hpp>: the runtime (runtime, model_handle, the config
// and its readers, the result and error types) and the library's logger.
#pragma once

#include "actors/runtime.hpp"
#include "config/logging.hpp"
