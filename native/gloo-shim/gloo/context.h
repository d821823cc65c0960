// Declarations of Gloo that c10d's ProcessGroupGloo.hpp names (PyTorch's wheels
// ship c10d's headers but not Gloo's). The addon only creates a Gloo backend
// through c10d's out-of-line functions (ProcessGroupGloo's constructor,
// Options::create, createDefaultDevice/createDeviceForInterface) and calls it
// through c10d::Backend's virtual functions, so nothing here is laid out or
// called by the addon: these only let the header compile. A full Gloo
// installation's own headers are never mixed in (this folder comes first).
#pragma once

#include <chrono>

namespace gloo {

class Context {
 public:
  void setTimeout(std::chrono::milliseconds timeout);
};

}  // namespace gloo
