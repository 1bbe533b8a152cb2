// libzstd, the system library (Debian: libzstd-dev). Traces are zstd streams.
#ifndef HVDIFF_CZSTD_SHIM_H
#define HVDIFF_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>
#endif
