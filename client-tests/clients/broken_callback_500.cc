// fault: callback_acknowledged — callback mode: answers every callback delivery with HTTP 500 (after reading it), so the provider sees every delivery fail; in polling mode it behaves like the reference.
// The reference C++ client with exactly this fault switched on (reference_cpp.cc, "Faults").
#define IMAGINE_CLIENT_FAULT "callback_500"
#include "reference_cpp.cc"
