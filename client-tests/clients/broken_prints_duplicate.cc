// fault: callback_duplicate_once — callback mode: every further delivery of the callback for its task (a duplicate or a retry) is taken as a new result and the URL printed again; in polling mode it behaves like the reference.
// The reference C++ client with exactly this fault switched on (reference_cpp.cc, "Faults").
#define IMAGINE_CLIENT_FAULT "prints_duplicate"
#include "reference_cpp.cc"
