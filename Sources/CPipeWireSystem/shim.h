// libpipewire-0.3 through pkg-config (headers and link flags for CPipeWire, which wraps it;
// Swift code uses CPipeWire's small API, never this module directly).
#include <pipewire/pipewire.h>
