// See gloo/context.h in this folder: declarations only, for c10d's headers.
#pragma once

namespace gloo {
namespace transport {

class Device;
class UnboundBuffer;

}  // namespace transport
}  // namespace gloo
