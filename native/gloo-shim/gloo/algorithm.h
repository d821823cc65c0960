// See gloo/context.h in this folder: declarations only, for c10d's headers.
#pragma once

#include "gloo/context.h"
