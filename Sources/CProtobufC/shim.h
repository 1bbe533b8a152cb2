// libprotobuf-c, the system library (Debian: libprotobuf-c-dev) the C
// recording library encodes and decodes trace records with.
#ifndef HVDIFF_CPROTOBUFC_SHIM_H
#define HVDIFF_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
