// fault: polling_interval — ignores IMAGINE_POLL_INTERVAL_MS: status queries (and, in callback mode, the fallback queries) follow each other 5 ms (real) apart.
// The reference C++ client with exactly this fault switched on (reference_cpp.cc, "Faults").
#define IMAGINE_CLIENT_FAULT "hammers_polling"
#include "reference_cpp.cc"
